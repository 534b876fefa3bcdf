/**
 * Subscription endpoint Lambda (API Gateway HTTP API, payload v2). Placeholder until the handler core lands.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

export const handler = async (_event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => ({
  statusCode: 503,
  headers: { 'content-type': 'text/plain; charset=utf-8' },
  body: 'Not yet available\n',
});
