/**
 * Mailing the digest to confirmed subscribers: the digest email (text + HTML for mail
 * clients), the mailer port with its outbox / SMTP / SES adapters, and the deliverer the CLI
 * `run` and the summarize Lambda compose into the publish stage.
 */
import type { Config } from '../config/schema';
import type { DeliveryReport } from '../pipeline/publish-stage';
import type { Store } from '../store';
import { resolvePublicUrls } from '../subscriptions/links';
import { secretLoaderFromEnv, type SecretLoader } from '../subscriptions/secret';
import type { Digest } from '../types';
import { deliverDigest } from './deliver';
import { createMailerFromConfig, type Mailer, type SesLike } from './mailers';

export { renderDigestEmail, digestSubject, MAX_EMAIL_STORIES, type RenderedEmail, type DigestEmailLinks } from './digest-email';
export { renderConfirmationEmail, renderAlreadySubscribedEmail } from './notice-email';
export { deliverDigest, deliveryKey, type DeliverDigestDeps } from './deliver';
export {
  buildMime,
  createMailerFromConfig,
  createOutboxMailer,
  createSesMailer,
  createSmtpMailer,
  MailError,
  type MailMessage,
  type Mailer,
  type SendResult,
  type SesLike,
} from './mailers';

export interface DelivererOptions {
  config: Config;
  store: Store;
  /** Local runs: the output folder (the outbox lives beside the site, in `<outDir>/outbox/`). */
  outDir?: string;
  /** Injected adapters (tests, Lambdas); defaults follow the config and the environment. */
  mailer?: Mailer;
  secret?: SecretLoader;
  sesClient?: SesLike;
  now?: () => Date;
}

/** A function that mails a published digest to every confirmed subscriber, or undefined when nobody can be mailed. */
export function createDigestDeliverer(options: DelivererOptions): ((digest: Digest) => Promise<DeliveryReport>) | undefined {
  const { config, store } = options;
  const { siteUrl, endpointUrl } = resolvePublicUrls(config);
  const secret = options.secret ?? secretLoaderFromEnv(store);
  return async (digest) => {
    const mailer =
      options.mailer ??
      createMailerFromConfig(config, { store, outDir: options.outDir, sesClient: options.sesClient, outboxFolder: 'digests' });
    try {
      return await deliverDigest(digest, {
        store,
        mailer,
        secret,
        siteUrl,
        endpointUrl,
        from: config.email.from,
        replyTo: config.email.replyTo,
        lang: config.digest.lang,
        images: config.site.images.mail,
        now: options.now,
      });
    } finally {
      if (!options.mailer) await mailer.close?.();
    }
  };
}
