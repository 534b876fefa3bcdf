/**
 * A story's sources, shown compactly ("5 sources: Reuters, BBC, AP +2 more") with the full list,
 * each source with its own link, one click or tap away in a <details> element (no JavaScript).
 * Shared by the page, the Atom and JSON feeds (through the page's story markup) and the mail.
 */
import type { Chrome } from '../i18n';
import type { DigestStory, DigestStorySource } from '../types';
import { cleanLine, markup, safeHttpUrl, type SafeHtml } from './html';

/** Source names shown before "+N more". */
export const SOURCES_SHOWN = 3;

/** Distinct source names in order (best source first). */
export function sourceNames(story: DigestStory): string[] {
  const names = (story.sources ?? []).map((s) => cleanLine(s.name)).filter(Boolean);
  if (names.length === 0 && cleanLine(story.source)) names.push(cleanLine(story.source));
  return [...new Set(names)];
}

/** True when the story has more than one source to list (several outlets, or several articles). */
export function hasSeveralSources(story: DigestStory): boolean {
  return sourceNames(story).length > 1 || (story.sources ?? []).filter((s) => s.url).length > 1;
}

/** The compact line as plain text: "5 sources: Reuters, BBC, AP +2 more". */
export function sourcesLineText(story: DigestStory, t: Chrome): string {
  const names = sourceNames(story);
  const more = names.length - SOURCES_SHOWN;
  const shown = names.slice(0, SOURCES_SHOWN).join(t.text('listSeparator'));
  const line = t.text('sourcesLine', { sources: t.count('sourceCount', names.length), names: shown });
  return more > 0 ? `${line} ${t.text('moreSources', { count: more })}` : line;
}

/** Every source as one line of plain text: "Reuters: Title — https://…". */
export function sourceLineText(source: DigestStorySource): string {
  const title = cleanLine(source.title);
  const href = safeHttpUrl(source.url);
  return `${cleanLine(source.name)}${title ? `: ${title}` : ''}${href ? ` — ${href}` : ''}`;
}

/** One source in the full list: its name linked to its own article, then the article's title. */
function renderSource(source: DigestStorySource, t: Chrome): SafeHtml {
  const href = safeHttpUrl(source.url);
  const name = cleanLine(source.name) || t.text('unknownSource');
  const title = cleanLine(source.title);
  return markup`<li>${href ? markup`<a href="${href}"><bdi>${name}</bdi></a>` : markup`<bdi>${name}</bdi>`}${title ? markup`: <bdi>${title}</bdi>` : ''}</li>`;
}

/**
 * The sources of a story with several, as a <details> whose summary is the compact line. It sits
 * inside the story's element, so it reads right-to-left with a right-to-left story; `labelLang`
 * marks the chrome's words when the story is in another language.
 */
export function renderStorySources(story: DigestStory, t: Chrome, labelLang: SafeHtml | string = ''): SafeHtml | string {
  if (!hasSeveralSources(story)) return '';
  const names = sourceNames(story);
  const more = names.length - SOURCES_SHOWN;
  const separator = t.text('listSeparator');
  const shown = names.slice(0, SOURCES_SHOWN).map((n, i) => markup`${i ? separator : ''}<bdi>${n}</bdi>`);
  const line = t.html('sourcesLine', { sources: t.count('sourceCount', names.length), names: markup`${shown}` });
  return markup`<details class="src"${labelLang}><summary>${line}${more > 0 ? ` ${t.text('moreSources', { count: more })}` : ''}</summary><ul>${(
    story.sources ?? []
  ).map((source) => renderSource(source, t))}</ul></details>`;
}
