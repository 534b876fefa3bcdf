/**
 * Rendering and publishing the static site. (Foundation version; issue 6 makes the real site:
 * archive, Atom/JSON feeds, search, RTL-aware layout, CSP-safe.)
 */
import type { Store } from '../store';
import { putJson } from '../store';
import type { Digest } from '../types';

export interface PublishOptions {
  /** Public base URL of the site (absolute links in feeds). */
  siteUrl?: string;
  /** Subscription endpoint base ("…/api"); the subscribe form posts to `${subscribeEndpoint}/subscribe`. */
  subscribeEndpoint?: string;
}

const esc = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

const safeHref = (u: string): string => {
  try {
    const url = new URL(u);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.toString() : '#';
  } catch {
    return '#';
  }
};

export function datePath(date: string): string {
  return date.replace(/-/g, '/');
}

export function renderDailyPage(digest: Digest): string {
  const stories = digest.stories
    .map(
      (s) => `<article lang="${esc(s.lang)}" dir="${s.dir}">
<h2><a href="${esc(safeHref(s.url))}">${esc(s.title)}</a></h2>
<p class="meta"><bdi>${esc(s.source)}</bdi> · <time datetime="${esc(s.publishedAt)}">${esc(s.publishedAt)}</time></p>
${s.summary.map((x) => `<p>${esc(x)}</p>`).join('\n')}
</article>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en" dir="ltr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(digest.title)} — ${esc(digest.date)}</title></head>
<body><main><h1>${esc(digest.title)} — ${esc(digest.date)}</h1>
${stories}
</main></body></html>
`;
}

export async function publishDigest(store: Store, digest: Digest, _options: PublishOptions = {}): Promise<string[]> {
  const dir = `site/${datePath(digest.date)}`;
  const html = renderDailyPage(digest);
  await store.put(`${dir}/index.html`, html, { contentType: 'text/html; charset=utf-8', cacheControl: 'public, max-age=86400' });
  await putJson(store, `${dir}/digest.json`, digest, { cacheControl: 'public, max-age=300' });
  await store.put('site/index.html', html, { contentType: 'text/html; charset=utf-8', cacheControl: 'public, max-age=300' });
  return [`${dir}/index.html`, `${dir}/digest.json`, 'site/index.html'];
}
