/**
 * The digest as an email: a subject line, a plain-text part and an HTML part for mail clients.
 * Pure: data in, strings out. Each story carries its own `lang`/`dir` so Arabic or Hebrew
 * stories read right-to-left inside an otherwise left-to-right mail.
 */
import type { Digest, DigestStory } from '../types';
import { escapeHtml, markup, safeHttpUrl } from '../render/html';
import { plural } from '../render/format';
import { hasSeveralSources, sourceLineText, sourcesLineText } from '../render/story-sources';
import { COLORS, FONT, directionOf, renderButton, renderMailLayout } from './layout';

/** Gmail clips messages over ~102 KB; past this many stories the mail points to the web version. */
export const MAX_EMAIL_STORIES = 30;
const MAX_SUBJECT_LENGTH = 180;

export interface DigestEmailLinks {
  /** The day's page on the public site. */
  webUrl: string;
  /** This subscriber's unsubscribe page (GET shows a button; the header link POSTs). */
  unsubscribeUrl: string;
  /** The site's home page. */
  siteUrl: string;
  /** This subscriber's "Change what you receive" page (GET shows the form; its POST saves). */
  preferencesUrl?: string;
}

export interface DigestEmailOptions {
  /** Language of the labels (config digest.lang). */
  lang?: string;
  maxStories?: number;
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

/** One line, no control characters, collapsed spaces: safe for a header before the library encodes it. */
export function singleLine(s: string, max = MAX_SUBJECT_LENGTH): string {
  const clean = s
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return clean.length > max ? `${clean.slice(0, max - 1).trimEnd()}…` : clean;
}

export function formatDigestDate(date: string, lang: string, style: 'full' | 'medium'): string {
  const instant = new Date(`${date}T12:00:00Z`);
  try {
    return new Intl.DateTimeFormat(lang, { dateStyle: style, timeZone: 'UTC' }).format(instant);
  } catch {
    return date;
  }
}

export function digestSubject(digest: Digest, lang = 'en'): string {
  const top = digest.stories[0];
  const head = `${digest.title} — ${formatDigestDate(digest.date, lang, 'medium')}`;
  return singleLine(top ? `${head}: ${top.title}` : head);
}

/** The meta line's sources: the one source, or "5 sources: Reuters, BBC, AP +2 more". */
const sourcesLabel = (story: DigestStory): string => (hasSeveralSources(story) ? sourcesLineText(story) : story.source);

/** "Update: " before the title of a story that updates an earlier one. */
const updatePrefix = (story: DigestStory): string => (story.updateOf ? 'Update: ' : '');

/**
 * Every source of a story with several, each with its own link: a <details> list (one tap away
 * where the mail client supports it, shown open where it does not).
 */
function renderSourcesHtml(story: DigestStory): string {
  if (!hasSeveralSources(story)) return '';
  const items = story.sources.map((s) => {
    const href = safeHttpUrl(s.url);
    const link = href
      ? markup`<a class="fg-link" href="${href}" style="color:${COLORS.link};text-decoration:underline;">${s.name}</a>`
      : s.name;
    return markup`<li style="margin:0 0 4px;">${link}${s.title ? `: ${s.title}` : ''}</li>`;
  });
  return markup`<details style="margin:0 0 12px;font-size:14px;line-height:20px;color:${COLORS.muted};"><summary class="fg-muted" style="color:${COLORS.muted};">Every source</summary><ul style="margin:6px 0 0;padding:0 20px;">${items}</ul></details>\n`
    .value;
}

function renderStoryHtml(story: DigestStory, index: number, chrome: { lang: string; dir: 'ltr' | 'rtl' }): string {
  const align = story.dir === 'rtl' ? 'right' : 'left';
  const href = safeHttpUrl(story.url);
  const title = escapeHtml(updatePrefix(story) + story.title);
  const meta = [sourcesLabel(story), story.category]
    .filter((x): x is string => !!x)
    .map(escapeHtml)
    .join(' · ');
  const summary = story.summary
    .map(
      (p) => `<p class="fg" style="margin:0 0 12px;font-size:16px;line-height:25px;color:${COLORS.text};">${escapeHtml(p)}</p>`,
    )
    .join('\n');
  const minutes = story.readingMinutes > 0 ? ` · ${story.readingMinutes} min read` : '';
  const more = href
    ? `<p style="margin:0;font-size:14px;line-height:20px;"><span lang="${escapeHtml(chrome.lang)}" dir="${chrome.dir}"><a class="fg-link" href="${escapeHtml(href)}" style="color:${COLORS.link};font-weight:600;text-decoration:underline;">Read the article</a><span class="fg-muted" style="color:${COLORS.muted};">${minutes}</span></span></p>`
    : '';
  return `<tr>
<td class="bg-card px rule" lang="${escapeHtml(story.lang)}" dir="${story.dir}" align="${align}" style="padding:22px 32px;background-color:${COLORS.card};border-top:1px solid ${COLORS.rule};text-align:${align};font-family:${FONT};">
<p class="fg-muted" style="margin:0 0 6px;font-size:13px;line-height:18px;color:${COLORS.muted};"><span dir="ltr">${index + 1}.</span> ${meta}</p>
<h2 style="margin:0 0 10px;font-family:${FONT};font-size:20px;line-height:27px;font-weight:700;">${
    href
      ? `<a class="fg" href="${escapeHtml(href)}" style="color:${COLORS.text};text-decoration:none;">${title}</a>`
      : `<span class="fg" style="color:${COLORS.text};">${title}</span>`
  }</h2>
${summary}
${renderSourcesHtml(story)}${more}
</td>
</tr>`;
}

export function renderDigestEmail(digest: Digest, links: DigestEmailLinks, options: DigestEmailOptions = {}): RenderedEmail {
  const lang = options.lang ?? 'en';
  const dir = directionOf(lang);
  const max = options.maxStories ?? MAX_EMAIL_STORIES;
  const shown = digest.stories.slice(0, max);
  const hidden = digest.stories.length - shown.length;
  const longDate = formatDigestDate(digest.date, lang, 'full');
  const subject = digestSubject(digest, lang);
  const feedsCount = new Set(digest.stories.flatMap((s) => s.sources.map((x) => x.feedUrl))).size;
  const countLine = `${plural(digest.stories.length, 'story', 'stories')} from ${plural(feedsCount, 'source')}`;
  const preheader = singleLine(shown[0]?.summary[0] ?? countLine, 140);

  const header = `<tr>
<td class="bg-card px" style="padding:28px 32px 20px;background-color:${COLORS.card};border-radius:10px 10px 0 0;font-family:${FONT};">
<p class="fg-muted" style="margin:0 0 4px;font-size:13px;line-height:18px;color:${COLORS.muted};text-transform:uppercase;letter-spacing:0.06em;">${escapeHtml(longDate)}</p>
<h1 class="fg title" style="margin:0 0 8px;font-family:${FONT};font-size:28px;line-height:34px;font-weight:800;color:${COLORS.text};">${escapeHtml(digest.title)}</h1>
<p class="fg-muted" style="margin:0;font-size:14px;line-height:20px;color:${COLORS.muted};">${escapeHtml(countLine)} · <a class="fg-link" href="${escapeHtml(links.webUrl)}" style="color:${COLORS.link};text-decoration:underline;">Read it on the web</a></p>
</td>
</tr>`;
  const empty = shown.length
    ? []
    : [
        `<tr><td class="bg-card px fg" style="padding:22px 32px;background-color:${COLORS.card};font-family:${FONT};font-size:16px;line-height:24px;color:${COLORS.text};">No new stories today.</td></tr>`,
      ];
  const moreRow = hidden
    ? [
        `<tr><td class="bg-card px rule" align="center" style="padding:22px 32px;background-color:${COLORS.card};border-top:1px solid ${COLORS.rule};">${renderButton(links.webUrl, `${hidden} more ${hidden === 1 ? 'story' : 'stories'} on the web`)}</td></tr>`,
      ]
    : [];
  const closing = `<tr><td class="bg-card" style="height:12px;line-height:12px;font-size:12px;background-color:${COLORS.card};border-radius:0 0 10px 10px;">&nbsp;</td></tr>`;
  const site = safeHttpUrl(links.siteUrl) ?? links.webUrl;
  const footer = `You receive this because you subscribed to <a class="fg-muted" href="${escapeHtml(site)}" style="color:${COLORS.muted};text-decoration:underline;">${escapeHtml(digest.title)}</a>.<br>
<a class="fg-link" href="${escapeHtml(links.unsubscribeUrl)}" style="color:${COLORS.link};text-decoration:underline;">Unsubscribe</a>${
    links.preferencesUrl
      ? ` · <a class="fg-link" href="${escapeHtml(links.preferencesUrl)}" style="color:${COLORS.link};text-decoration:underline;">Change what you receive</a>`
      : ''
  } · <a class="fg-link" href="${escapeHtml(links.webUrl)}" style="color:${COLORS.link};text-decoration:underline;">Web version</a>`;

  const html = renderMailLayout({
    lang,
    dir,
    title: subject,
    preheader,
    rows: [header, ...empty, ...shown.map((s, i) => renderStoryHtml(s, i, { lang, dir })), ...moreRow, closing],
    footer,
  });

  const textStories = shown.map((s, i) => {
    const lines = [
      `${i + 1}. ${singleLine(updatePrefix(s) + s.title, 500)}`,
      `   ${sourcesLabel(s)}${s.readingMinutes > 0 ? ` · ${s.readingMinutes} min read` : ''}`,
    ];
    for (const p of s.summary) lines.push('', `   ${singleLine(p, 5000)}`);
    if (hasSeveralSources(s)) lines.push('', ...s.sources.map((x) => `   - ${singleLine(sourceLineText(x), 5000)}`));
    const href = safeHttpUrl(s.url);
    if (href) lines.push('', `   ${href}`);
    return lines.join('\n');
  });
  const text = [
    `${digest.title} — ${longDate}`,
    countLine,
    `Web version: ${links.webUrl}`,
    '',
    ...(textStories.length ? textStories.flatMap((s) => [s, '']) : ['No new stories today.', '']),
    ...(hidden ? [`${hidden} more ${hidden === 1 ? 'story' : 'stories'}: ${links.webUrl}`, ''] : []),
    '-- ',
    `You receive this because you subscribed to ${digest.title}.`,
    `Unsubscribe: ${links.unsubscribeUrl}`,
    ...(links.preferencesUrl ? [`Change what you receive: ${links.preferencesUrl}`] : []),
    '',
  ].join('\n');

  return { subject, text, html };
}
