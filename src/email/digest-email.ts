/**
 * The digest as an email: a subject line, a plain-text part and an HTML part for mail clients.
 * Pure: data in, strings out. Each story carries its own `lang`/`dir` so Arabic or Hebrew
 * stories read right-to-left inside a left-to-right mail, and the other way round: the mail
 * itself is in the chrome's language and direction (config digest.lang). Every interpolation goes
 * through `markup`, which escapes it unless it is already SafeHtml.
 */
import { chromeFor, type Chrome } from '../i18n';
import type { Digest, DigestStory } from '../types';
import { markup, safeHttpUrl, type SafeHtml } from '../render/html';
import { leadImageOf } from '../render/lead-image';
import { hasSeveralSources, sourceLineText, sourcesLineText } from '../render/story-sources';
import { COLORS, FONT, renderButton, renderMailLayout } from './layout';

/** Gmail clips messages over ~102 KB; past this many stories the mail points to the web version. */
export const MAX_EMAIL_STORIES = 30;
const MAX_SUBJECT_LENGTH = 180;
/** Width of a story's picture: the 600 px column minus the card's padding. */
const IMAGE_WIDTH = 536;

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
  /** Language of the chrome (config digest.lang; default English). */
  lang?: string;
  maxStories?: number;
  /** Lead images in the mail (config site.images.mail; off by default: remote images tell the sender who opened the mail). */
  images?: boolean;
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
  const t = chromeFor(lang);
  const top = digest.stories[0];
  const parts = { title: digest.title, date: formatDigestDate(digest.date, t.lang, 'medium') };
  return singleLine(top ? t.text('mailSubjectTop', { ...parts, top: top.title }) : t.text('mailSubject', parts));
}

/** The meta line's sources: the one source, or "5 sources: Reuters, BBC, AP +2 more". */
const sourcesLabel = (story: DigestStory, t: Chrome): string =>
  hasSeveralSources(story) ? sourcesLineText(story, t) : story.source;

/** "Update: " before the title of a story that updates an earlier one. */
const updatePrefix = (story: DigestStory, t: Chrome): string => (story.updateOf ? t.text('mailUpdatePrefix') : '');

/**
 * Every source of a story with several, each with its own link: a <details> list (one tap away
 * where the mail client supports it, shown open where it does not).
 */
function renderSourcesHtml(story: DigestStory, t: Chrome): SafeHtml | string {
  if (!hasSeveralSources(story)) return '';
  const items = story.sources.map((s) => {
    const href = safeHttpUrl(s.url);
    const link = href
      ? markup`<a class="fg-link" href="${href}" style="color:${COLORS.link};text-decoration:underline;">${s.name}</a>`
      : s.name;
    return markup`<li style="margin:0 0 4px;">${link}${s.title ? `: ${s.title}` : ''}</li>`;
  });
  return markup`<details style="margin:0 0 12px;font-size:14px;line-height:20px;color:${COLORS.muted};"><summary class="fg-muted" style="color:${COLORS.muted};">${t.text('mailEverySource')}</summary><ul style="margin:6px 0 0;padding:0 20px;">${items}</ul></details>\n`;
}

/** The story's lead image, full width of the card, its height fixed so nothing moves as it loads. */
function renderImageHtml(story: DigestStory): SafeHtml | string {
  const image = leadImageOf(story);
  if (!image) return '';
  const height = Math.round((IMAGE_WIDTH * image.height) / image.width);
  return markup`<img src="${image.src}" width="${IMAGE_WIDTH}" height="${height}" alt="${image.alt}" loading="lazy" referrerpolicy="no-referrer" style="display:block;width:100%;max-width:${IMAGE_WIDTH}px;height:auto;aspect-ratio:${image.width}/${image.height};object-fit:cover;margin:0 0 12px;border:0;border-radius:6px;">\n`;
}

function renderStoryHtml(story: DigestStory, index: number, t: Chrome, images: boolean): SafeHtml {
  const align = story.dir === 'rtl' ? 'right' : 'left';
  const href = safeHttpUrl(story.url);
  const title = updatePrefix(story, t) + story.title;
  const meta = [sourcesLabel(story, t), story.category].filter((x): x is string => !!x).join(' · ');
  const summary = story.summary.map(
    (p, i) =>
      markup`${i ? '\n' : ''}<p class="fg" style="margin:0 0 12px;font-size:16px;line-height:25px;color:${COLORS.text};">${p}</p>`,
  );
  const minutes = story.readingMinutes > 0 ? ` · ${t.count('readingMinutes', story.readingMinutes)}` : '';
  const more = href
    ? markup`<p style="margin:0;font-size:14px;line-height:20px;"><span lang="${t.lang}" dir="${t.dir}"><a class="fg-link" href="${href}" style="color:${COLORS.link};font-weight:600;text-decoration:underline;">${t.text('mailReadArticle')}</a><span class="fg-muted" style="color:${COLORS.muted};">${minutes}</span></span></p>`
    : '';
  return markup`<tr>
<td class="bg-card px rule" lang="${story.lang}" dir="${story.dir}" align="${align}" style="padding:22px 32px;background-color:${COLORS.card};border-top:1px solid ${COLORS.rule};text-align:${align};font-family:${FONT};">
<p class="fg-muted" style="margin:0 0 6px;font-size:13px;line-height:18px;color:${COLORS.muted};"><span dir="ltr">${index + 1}.</span> ${meta}</p>
<h2 style="margin:0 0 10px;font-family:${FONT};font-size:20px;line-height:27px;font-weight:700;">${
    href
      ? markup`<a class="fg" href="${href}" style="color:${COLORS.text};text-decoration:none;">${title}</a>`
      : markup`<span class="fg" style="color:${COLORS.text};">${title}</span>`
  }</h2>
${images ? renderImageHtml(story) : ''}${summary}
${renderSourcesHtml(story, t)}${more}
</td>
</tr>`;
}

export function renderDigestEmail(digest: Digest, links: DigestEmailLinks, options: DigestEmailOptions = {}): RenderedEmail {
  const t = chromeFor(options.lang);
  const max = options.maxStories ?? MAX_EMAIL_STORIES;
  const shown = digest.stories.slice(0, max);
  const hidden = digest.stories.length - shown.length;
  const longDate = formatDigestDate(digest.date, t.lang, 'full');
  const subject = digestSubject(digest, t.lang);
  const feedsCount = new Set(digest.stories.flatMap((s) => s.sources.map((x) => x.feedUrl))).size;
  const countLine = t.text('mailCountLine', {
    stories: t.count('storyCount', digest.stories.length),
    sources: t.count('sourceCount', feedsCount),
  });
  const preheader = singleLine(shown[0]?.summary[0] ?? countLine, 140);
  const moreStories = hidden ? t.count('mailMoreStories', hidden) : '';

  const header = markup`<tr>
<td class="bg-card px" style="padding:28px 32px 20px;background-color:${COLORS.card};border-radius:10px 10px 0 0;font-family:${FONT};">
<p class="fg-muted" style="margin:0 0 4px;font-size:13px;line-height:18px;color:${COLORS.muted};text-transform:uppercase;letter-spacing:0.06em;">${longDate}</p>
<h1 class="fg title" style="margin:0 0 8px;font-family:${FONT};font-size:28px;line-height:34px;font-weight:800;color:${COLORS.text};">${digest.title}</h1>
<p class="fg-muted" style="margin:0;font-size:14px;line-height:20px;color:${COLORS.muted};">${countLine} · <a class="fg-link" href="${links.webUrl}" style="color:${COLORS.link};text-decoration:underline;">${t.text('mailReadOnWeb')}</a></p>
</td>
</tr>`;
  const empty = shown.length
    ? []
    : [
        markup`<tr><td class="bg-card px fg" style="padding:22px 32px;background-color:${COLORS.card};font-family:${FONT};font-size:16px;line-height:24px;color:${COLORS.text};">${t.text('noNewStories')}</td></tr>`,
      ];
  const moreRow = hidden
    ? [
        markup`<tr><td class="bg-card px rule" align="center" style="padding:22px 32px;background-color:${COLORS.card};border-top:1px solid ${COLORS.rule};">${renderButton(links.webUrl, t.text('mailMoreOnWeb', { more: moreStories }))}</td></tr>`,
      ]
    : [];
  const closing = markup`<tr><td class="bg-card" style="height:12px;line-height:12px;font-size:12px;background-color:${COLORS.card};border-radius:0 0 10px 10px;">&nbsp;</td></tr>`;
  const site = safeHttpUrl(links.siteUrl) ?? links.webUrl;
  const siteLink = markup`<a class="fg-muted" href="${site}" style="color:${COLORS.muted};text-decoration:underline;">${digest.title}</a>`;
  const preferencesLink = links.preferencesUrl
    ? markup` · <a class="fg-link" href="${links.preferencesUrl}" style="color:${COLORS.link};text-decoration:underline;">${t.text('mailPreferences')}</a>`
    : '';
  const footer = markup`${t.html('mailWhy', { title: siteLink })}<br>
<a class="fg-link" href="${links.unsubscribeUrl}" style="color:${COLORS.link};text-decoration:underline;">${t.text('mailUnsubscribe')}</a>${preferencesLink} · <a class="fg-link" href="${links.webUrl}" style="color:${COLORS.link};text-decoration:underline;">${t.text('mailWebVersion')}</a>`;

  const html = renderMailLayout({
    lang: t.lang,
    dir: t.dir,
    title: subject,
    preheader,
    rows: [header, ...empty, ...shown.map((s, i) => renderStoryHtml(s, i, t, options.images ?? false)), ...moreRow, closing],
    footer,
  });

  const textStories = shown.map((s, i) => {
    const lines = [
      `${i + 1}. ${singleLine(updatePrefix(s, t) + s.title, 500)}`,
      `   ${sourcesLabel(s, t)}${s.readingMinutes > 0 ? ` · ${t.count('readingMinutes', s.readingMinutes)}` : ''}`,
    ];
    for (const p of s.summary) lines.push('', `   ${singleLine(p, 5000)}`);
    if (hasSeveralSources(s)) lines.push('', ...s.sources.map((x) => `   - ${singleLine(sourceLineText(x), 5000)}`));
    const href = safeHttpUrl(s.url);
    if (href) lines.push('', `   ${href}`);
    return lines.join('\n');
  });
  const text = [
    t.text('mailSubject', { title: digest.title, date: longDate }),
    countLine,
    `${t.text('mailWebVersion')}: ${links.webUrl}`,
    '',
    ...(textStories.length ? textStories.flatMap((s) => [s, '']) : [t.text('noNewStories'), '']),
    ...(hidden ? [`${moreStories}: ${links.webUrl}`, ''] : []),
    '-- ',
    t.text('mailWhy', { title: digest.title }),
    `${t.text('mailUnsubscribe')}: ${links.unsubscribeUrl}`,
    ...(links.preferencesUrl ? [`${t.text('mailPreferences')}: ${links.preferencesUrl}`] : []),
    '',
  ].join('\n');

  return { subject, text, html };
}
