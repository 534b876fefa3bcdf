/**
 * The two mails the subscription endpoint sends: "confirm your subscription" (double opt-in)
 * and "you are already subscribed" (sent instead when a confirmed address subscribes again,
 * so the endpoint behaves the same whether or not it knew the address).
 */
import { escapeHtml } from '../render/html';
import { COLORS, FONT, directionOf, renderButton, renderMailLayout } from './layout';
import type { RenderedEmail } from './digest-email';
import { singleLine } from './digest-email';

export interface NoticeEmailOptions {
  /** The digest's title (config digest.title). */
  title: string;
  siteUrl: string;
  lang?: string;
}

function notice(
  options: NoticeEmailOptions,
  parts: { subject: string; lead: string; button: { href: string; label: string }; after: string },
): RenderedEmail {
  const lang = options.lang ?? 'en';
  const dir = directionOf(lang);
  const p = (text: string): string =>
    `<p class="fg" style="margin:0 0 16px;font-size:16px;line-height:24px;color:${COLORS.text};">${escapeHtml(text)}</p>`;
  const body = `<tr>
<td class="bg-card px" style="padding:32px;background-color:${COLORS.card};border-radius:10px;font-family:${FONT};">
<h1 class="fg title" style="margin:0 0 16px;font-family:${FONT};font-size:24px;line-height:30px;font-weight:800;color:${COLORS.text};">${escapeHtml(options.title)}</h1>
${p(parts.lead)}
${renderButton(parts.button.href, parts.button.label)}
<p class="fg-muted" style="margin:16px 0 0;font-size:13px;line-height:20px;color:${COLORS.muted};word-break:break-all;">${escapeHtml(parts.button.href)}</p>
<p class="fg-muted" style="margin:16px 0 0;font-size:14px;line-height:20px;color:${COLORS.muted};">${escapeHtml(parts.after)}</p>
</td>
</tr>`;
  const html = renderMailLayout({
    lang,
    dir,
    title: parts.subject,
    preheader: parts.lead,
    rows: [body],
    footer: `<a class="fg-muted" href="${escapeHtml(options.siteUrl)}" style="color:${COLORS.muted};text-decoration:underline;">${escapeHtml(options.title)}</a>`,
  });
  const text = [options.title, '', parts.lead, '', `${parts.button.label}: ${parts.button.href}`, '', parts.after, ''].join('\n');
  return { subject: singleLine(parts.subject), text, html };
}

export function renderConfirmationEmail(options: NoticeEmailOptions & { confirmUrl: string }): RenderedEmail {
  return notice(options, {
    subject: `Confirm your subscription to ${options.title}`,
    lead: `Someone (hopefully you) asked to receive ${options.title} by email every day. Confirm with the button below; the link works for 7 days.`,
    button: { href: options.confirmUrl, label: 'Confirm my subscription' },
    after: 'If you did not ask for this, ignore this mail: without confirmation you will not hear from us again.',
  });
}

export function renderAlreadySubscribedEmail(options: NoticeEmailOptions & { unsubscribeUrl: string }): RenderedEmail {
  return notice(options, {
    subject: `You are already subscribed to ${options.title}`,
    lead: `Someone (hopefully you) asked to subscribe this address to ${options.title}. It already receives the digest, so nothing changed.`,
    button: { href: options.unsubscribeUrl, label: 'Unsubscribe' },
    after: 'If you want to keep receiving the digest, ignore this mail.',
  });
}
