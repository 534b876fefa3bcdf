/**
 * Subscriptions: address validation, signed tokens, subscriber records in the store, and the
 * endpoint core that the Lambda and `rss-digest serve` both call.
 */
import type { Config } from '../config/schema';
import { createMailerFromConfig, type Mailer, type SesLike } from '../email/mailers';
import type { Store } from '../store';
import { createSubscriptionEndpoint, type SubscriptionEndpoint, type SubscriptionEndpointDeps } from './handler';
import { resolvePublicUrls } from './links';
import { preferenceChoicesOf } from './preference-choices';
import { secretLoaderFromEnv, type SecretLoader } from './secret';

export {
  normalizeAddress,
  addressIdentity,
  maskAddress,
  MAX_ADDRESS_LENGTH,
  type AddressResult,
  type AddressProblem,
} from './address';
export {
  createToken,
  verifyToken,
  subscriberIdFor,
  confirmToken,
  unsubscribeToken,
  preferencesToken,
  type TokenPayload,
  type TokenPurpose,
} from './tokens';
export {
  TOKEN_SECRET_ENV,
  TOKEN_SECRET_KEY,
  SecretError,
  memoizeSecret,
  secretLoaderFromEnv,
  secretsManagerSecretLoader,
  storeSecretLoader,
  valueSecretLoader,
  type SecretLoader,
} from './secret';
export {
  SUBSCRIBERS_PREFIX,
  listSubscribers,
  readSubscriber,
  subscriberKey,
  writeSubscriber,
  isMailable,
  type SubscriberRecord,
  type SubscriberStatus,
} from './subscribers';
export {
  categoriesOf,
  editionFor,
  effectivePreferences,
  parsePreferences,
  storiesFor,
  weekdayOf,
  MAIL_STORIES_BOUNDS,
  WEEKDAYS,
  type Edition,
  type EditionKind,
  type EffectivePreferences,
  type Frequency,
  type PreferenceChoices,
  type Preferences,
  type ReaderEdition,
  type Weekday,
} from './preferences';
export { preferenceChoicesOf, subscribeChoicesOf } from './preference-choices';
export { applySesEvent, type SesMailEvent, type BounceOutcome } from './bounces';
export { resolvePublicUrls, dayPageUrl, LOCAL_SITE_URL, type PublicUrls } from './links';
export {
  createSubscriptionEndpoint,
  MAX_BODY_BYTES,
  CONFIRMATION_INTERVAL_SECONDS,
  type EndpointRequest,
  type EndpointResponse,
  type SubscriptionEndpoint,
  type SubscriptionEndpointDeps,
} from './handler';

export interface EndpointFromConfigOptions {
  store: Store;
  /** Local: the output folder; confirmation mails in the outbox land in `<outDir>/outbox/confirmations/`. */
  outDir?: string;
  /** The address `serve` listens on, used for links when site.url is not configured. */
  fallbackSiteUrl?: string;
  mailer?: Mailer;
  secret?: SecretLoader;
  sesClient?: SesLike;
  now?: () => Date;
  log?: SubscriptionEndpointDeps['log'];
}

/** The endpoint as the config describes it: mailer from email.transport, URLs from site.*. */
export function createSubscriptionEndpointFromConfig(config: Config, options: EndpointFromConfigOptions): SubscriptionEndpoint {
  const { siteUrl, endpointUrl } = resolvePublicUrls(config, options.fallbackSiteUrl);
  return createSubscriptionEndpoint({
    store: options.store,
    mailer:
      options.mailer ??
      createMailerFromConfig(config, {
        store: options.store,
        outDir: options.outDir,
        sesClient: options.sesClient,
        outboxFolder: 'confirmations',
      }),
    secret: options.secret ?? secretLoaderFromEnv(options.store),
    siteUrl,
    endpointUrl,
    title: config.digest.title,
    lang: config.digest.lang,
    from: config.email.from,
    replyTo: config.email.replyTo,
    limits: {
      signupsPerClientPerHour: config.email.maxSignupsPerClientPerHour,
      confirmationsPerHour: config.email.maxConfirmationsPerHour,
    },
    choices: preferenceChoicesOf(config),
    now: options.now,
    log: options.log,
  });
}
