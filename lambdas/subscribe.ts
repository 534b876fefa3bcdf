/**
 * The subscription endpoint behind the HTTP API (payload v2): POST /api/subscribe,
 * GET /api/confirm, GET|POST /api/unsubscribe. A thin adapter: it turns the API Gateway event
 * into a plain request for the shared core (src/subscriptions) and back. Dependencies are built
 * once per instance, so the per-instance cap on confirmation mails (email.maxConfirmationsPerRun)
 * holds for the instance's lifetime.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { createSubscriptionEndpointFromConfig, MAX_BODY_BYTES, type SubscriptionEndpoint } from '../src/subscriptions';
import { createDeployedStore, loadDeployedConfig, logger } from './deployment';

let endpoint: SubscriptionEndpoint | undefined;

function getEndpoint(): SubscriptionEndpoint {
  if (!endpoint) {
    const config = loadDeployedConfig();
    endpoint = createSubscriptionEndpointFromConfig(config, {
      store: createDeployedStore(config),
      // Events carry the keyed subscriber id, never an address.
      log: ({ event, ...rest }) => logger.info(event, rest),
    });
  }
  return endpoint;
}

export const handler = async (event: APIGatewayProxyEventV2, context?: Context): Promise<APIGatewayProxyStructuredResultV2> => {
  if (context) logger.addContext(context);
  const raw = event.body ?? '';
  // Decoding a huge base64 body just to refuse it would waste memory: refuse by length first.
  const tooLarge = raw.length > (event.isBase64Encoded ? Math.ceil((MAX_BODY_BYTES * 4) / 3) + 4 : MAX_BODY_BYTES * 4);
  const body = tooLarge
    ? Buffer.alloc(MAX_BODY_BYTES + 1)
    : event.isBase64Encoded
      ? Buffer.from(raw, 'base64')
      : Buffer.from(raw, 'utf8');
  const response = await getEndpoint()({
    method: event.requestContext?.http?.method ?? 'GET',
    path: event.rawPath ?? event.requestContext?.http?.path ?? '/',
    query: event.rawQueryString ?? '',
    headers: event.headers ?? {},
    body,
  });
  return { statusCode: response.status, headers: response.headers, body: response.body };
};

/** Tests: forget the instance state (as a new Lambda instance would). */
export const resetForTests = (): void => {
  endpoint = undefined;
};
