/**
 * Mail: the digest email (text + HTML for mail clients), the confirmation notices, and the mailer
 * port with its outbox / SMTP / SES adapters. Who gets which mail, once a day, is src/delivery's job.
 */
export { renderDigestEmail, digestSubject, MAX_EMAIL_STORIES, type RenderedEmail, type DigestEmailLinks } from './digest-email';
export { renderConfirmationEmail, renderAlreadySubscribedEmail } from './notice-email';
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
