/**
 * The subscription endpoint behind the HTTP API (payload v2): POST /api/subscribe,
 * GET /api/confirm, GET|POST /api/unsubscribe. A thin adapter: it turns the API Gateway event
 * into a plain request for the shared core (src/subscriptions) and back. Dependencies are built
 * once per instance; the sign-up limits live in the store (state/limits/) and are shared by every
 * instance. The client of a request is API Gateway's `requestContext.http.sourceIp`.
 *
 * The same function also accepts SNS events carrying SES bounce and complaint events (the
 * configuration set's event destination): a permanent bounce or a complaint unsubscribes the
 * address. It already holds exactly the permissions that needs (state/subscribers/, the secret).
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context, SNSEvent } from 'aws-lambda';
import type { Store } from '../src/store';
import {
  applySesEvent,
  createSubscriptionEndpointFromConfig,
  MAX_BODY_BYTES,
  secretLoaderFromEnv,
  type SecretLoader,
  type SesMailEvent,
  type SubscriptionEndpoint,
} from '../src/subscriptions';
import { createDeployedStore, loadDeployedConfig, logger } from './deployment';

interface Instance {
  store: Store;
  secret: SecretLoader;
  endpoint: SubscriptionEndpoint;
}

let instance: Instance | undefined;

function getInstance(): Instance {
  if (!instance) {
    const config = loadDeployedConfig();
    const store = createDeployedStore(config);
    const secret = secretLoaderFromEnv(store);
    const endpoint = createSubscriptionEndpointFromConfig(config, {
      store,
      secret,
      // Events carry the keyed subscriber id, never an address.
      log: ({ event, ...rest }) => logger.info(event, rest),
    });
    instance = { store, secret, endpoint };
  }
  return instance;
}

const isSnsEvent = (event: unknown): event is SNSEvent =>
  Array.isArray((event as SNSEvent)?.Records) && (event as SNSEvent).Records.every((r) => r?.EventSource === 'aws:sns');

async function handleSesEvents(event: SNSEvent): Promise<{ removed: number; ignored: number }> {
  const { store, secret } = getInstance();
  const key = await secret();
  const totals = { removed: 0, ignored: 0 };
  for (const record of event.Records) {
    let message: SesMailEvent;
    try {
      message = JSON.parse(record.Sns.Message) as SesMailEvent;
    } catch {
      logger.warn('ignoring an SNS message that is not JSON', { messageId: record.Sns.MessageId });
      continue;
    }
    const outcome = await applySesEvent(store, key, message, new Date(), ({ event: name, ...rest }) => logger.info(name, rest));
    totals.removed += outcome.removed.length;
    totals.ignored += outcome.ignored;
  }
  return totals;
}

export async function handler(event: SNSEvent, context?: Context): Promise<{ removed: number; ignored: number }>;
export async function handler(event: APIGatewayProxyEventV2, context?: Context): Promise<APIGatewayProxyStructuredResultV2>;
export async function handler(
  event: APIGatewayProxyEventV2 | SNSEvent,
  context?: Context,
): Promise<APIGatewayProxyStructuredResultV2 | { removed: number; ignored: number }> {
  if (context) logger.addContext(context);
  if (isSnsEvent(event)) return handleSesEvents(event);
  const raw = event.body ?? '';
  // Decoding a huge base64 body just to refuse it would waste memory: refuse by length first.
  const tooLarge = raw.length > (event.isBase64Encoded ? Math.ceil((MAX_BODY_BYTES * 4) / 3) + 4 : MAX_BODY_BYTES * 4);
  const body = tooLarge
    ? Buffer.alloc(MAX_BODY_BYTES + 1)
    : event.isBase64Encoded
      ? Buffer.from(raw, 'base64')
      : Buffer.from(raw, 'utf8');
  const response = await getInstance().endpoint({
    method: event.requestContext?.http?.method ?? 'GET',
    path: event.rawPath ?? event.requestContext?.http?.path ?? '/',
    query: event.rawQueryString ?? '',
    headers: event.headers ?? {},
    body,
    // API Gateway's view of the connection's source; X-Forwarded-For is whatever the client wrote.
    clientIp: event.requestContext?.http?.sourceIp,
  });
  return { statusCode: response.status, headers: response.headers, body: response.body };
}

/** Tests: forget the instance state (as a new Lambda instance would). */
export const resetForTests = (): void => {
  instance = undefined;
};
