/**
 * The two mails the subscription endpoint sends: "confirm your subscription" (double opt-in)
 * and "you are already subscribed" (sent instead when a confirmed address subscribes again,
 * so the endpoint behaves the same whether or not it knew the address). Words from the
 * catalogue of the chrome's language (config digest.lang); markup through `markup`.
 */
import { chromeFor } from '../i18n';
import { markup } from '../render/html';
import { COLORS, FONT, renderButton, renderMailLayout } from './layout';
import type { RenderedEmail } from './digest-email';
import { singleLine } from './digest-email';

export interface NoticeEmailOptions {
  /** The digest's title (config digest.title). */
  title: string;
  siteUrl: string;
  /** Language of the chrome (config digest.lang; default English). */
  lang?: string;
}

function notice(
  options: NoticeEmailOptions,
  parts: { subject: string; lead: string; button: { href: string; label: string }; after: string },
): RenderedEmail {
  const t = chromeFor(options.lang);
  const body = markup`<tr>
<td class="bg-card px" style="padding:32px;background-color:${COLORS.card};border-radius:10px;font-family:${FONT};">
<h1 class="fg title" style="margin:0 0 16px;font-family:${FONT};font-size:24px;line-height:30px;font-weight:800;color:${COLORS.text};">${options.title}</h1>
<p class="fg" style="margin:0 0 16px;font-size:16px;line-height:24px;color:${COLORS.text};">${parts.lead}</p>
${renderButton(parts.button.href, parts.button.label)}
<p class="fg-muted" style="margin:16px 0 0;font-size:13px;line-height:20px;color:${COLORS.muted};word-break:break-all;" dir="ltr">${parts.button.href}</p>
<p class="fg-muted" style="margin:16px 0 0;font-size:14px;line-height:20px;color:${COLORS.muted};">${parts.after}</p>
</td>
</tr>`;
  const html = renderMailLayout({
    lang: t.lang,
    dir: t.dir,
    title: parts.subject,
    preheader: parts.lead,
    rows: [body],
    footer: markup`<a class="fg-muted" href="${options.siteUrl}" style="color:${COLORS.muted};text-decoration:underline;">${options.title}</a>`,
  });
  const text = [options.title, '', parts.lead, '', `${parts.button.label}: ${parts.button.href}`, '', parts.after, ''].join('\n');
  return { subject: singleLine(parts.subject), text, html };
}

export function renderConfirmationEmail(options: NoticeEmailOptions & { confirmUrl: string }): RenderedEmail {
  const t = chromeFor(options.lang);
  const title = options.title;
  return notice(options, {
    subject: t.text('confirmSubject', { title }),
    lead: t.text('confirmLead', { title }),
    button: { href: options.confirmUrl, label: t.text('confirmButton') },
    after: t.text('confirmAfter'),
  });
}

export function renderAlreadySubscribedEmail(options: NoticeEmailOptions & { unsubscribeUrl: string }): RenderedEmail {
  const t = chromeFor(options.lang);
  const title = options.title;
  return notice(options, {
    subject: t.text('alreadySubject', { title }),
    lead: t.text('alreadyLead', { title }),
    button: { href: options.unsubscribeUrl, label: t.text('mailUnsubscribe') },
    after: t.text('alreadyAfter'),
  });
}
