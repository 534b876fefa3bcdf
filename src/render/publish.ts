/**
 * Publishing a digest to the store, in an order that never exposes a link to a missing page:
 * assets, then the dated page and its digest.json, then the archive, the feeds, the search index,
 * and site/index.html last. Everything that spans days (archive, feeds, search, "latest") is
 * rebuilt from what the store holds, so it is right across runs and for any Store adapter.
 */
import { createHash } from 'node:crypto';
import type { PutOptions, Store } from '../store';
import { getJson, putJson } from '../store';
import type { Digest } from '../types';
import { cleanLine, safeHttpUrl } from './html';
import { chromeFor } from '../i18n';
import { formatClock, formatLongDate, formatWeekday } from './format';
import { renderDailyPage } from './daily';
import { renderArchivePage, renderNotFoundPage, renderSearchPage, type ArchiveDay } from './archive';
import { FEED_ENTRIES, renderAtomFeed, renderJsonFeed } from './feeds';
import type { PageContext, SubscribeChoices } from './layout';
import { buildSearchShard, SEARCH_MANIFEST_KEY, SEARCH_WORDS_VERSION, searchShardKey, type SearchManifest } from './search-index';
import { SEARCH_JS } from './search-script';
import { datePath, dayPagePath } from './site-paths';
import { weeksIn } from './weekly';
import { ICON_SVG, minifyCss, SITE_CSS } from './style';

export interface PublishOptions {
  /** Public base URL of the site (absolute links in feeds, canonical links). */
  siteUrl?: string;
  /** Subscription endpoint base ("…/api"); the subscribe form posts to `${subscribeEndpoint}/subscribe`. */
  subscribeEndpoint?: string;
  /** What the subscribe form offers to choose (topics, frequency, stories per mail). */
  subscribeChoices?: SubscribeChoices;
  /** The chrome's language (config digest.lang, default English); stories carry their own languages. */
  lang?: string;
  /** Lead images on the pages (config site.images.page). */
  images?: boolean;
}

/** Cache lifetimes: dated pages change only when a day is re-published; the rest daily. */
export const CACHE = {
  /** Content-hashed assets never change. */
  immutable: 'public, max-age=31536000, immutable',
  /** site/YYYY/MM/DD/…: a day's page is replaced only by a re-run of that day. */
  dated: 'public, max-age=86400',
  /** index, archive, feeds, search: change with every publish. */
  short: 'public, max-age=300',
} as const;

export const TYPES = {
  html: 'text/html; charset=utf-8',
  css: 'text/css; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  svg: 'image/svg+xml; charset=utf-8',
  json: 'application/json; charset=utf-8',
  atom: 'application/atom+xml; charset=utf-8',
  jsonFeed: 'application/feed+json; charset=utf-8',
} as const;

/** Where the archive's summary of every day is kept between runs (rebuilt from site/ if lost). */
export const ARCHIVE_STATE_KEY = 'state/site/archive.json';

interface ArchiveState {
  version: 1;
  days: ArchiveDay[];
}

const DIGEST_KEY = /^site\/(\d{4})\/(\d{2})\/(\d{2})\/digest\.json$/;

export const dayDir = (date: string): string => `site/${datePath(date)}`;
export const digestKey = (date: string): string => `${dayDir(date)}/digest.json`;

export class PublishError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PublishError';
  }
}

function hashed(name: string, ext: string, body: string): string {
  return `assets/${name}.${createHash('sha256').update(body).digest('hex').slice(0, 10)}.${ext}`;
}

/** The site's static files with content-hashed names (old pages keep their old files). */
export function siteAssets(): {
  css: { path: string; body: string };
  icon: { path: string; body: string };
  searchJs: { path: string; body: string };
} {
  const css = minifyCss(SITE_CSS);
  return {
    css: { path: hashed('digest', 'css', css), body: css },
    icon: { path: hashed('icon', 'svg', ICON_SVG), body: ICON_SVG },
    searchJs: { path: hashed('search', 'js', SEARCH_JS), body: SEARCH_JS },
  };
}

function archiveDayOf(digest: Digest): ArchiveDay {
  const top = digest.stories[0];
  return {
    date: digest.date,
    title: cleanLine(digest.title),
    stories: digest.stories.length,
    feedsFailed: digest.stats?.feedsFailed ?? 0,
    top: top ? { title: cleanLine(top.title), lang: top.lang, dir: top.dir } : undefined,
  };
}

function assertDigest(digest: Digest): void {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(digest.date) || Number.isNaN(Date.parse(`${digest.date}T00:00:00Z`))) {
    throw new PublishError(`Digest date must be YYYY-MM-DD, got ${JSON.stringify(digest.date)}`);
  }
  if (!Array.isArray(digest.stories)) throw new PublishError('Digest has no stories array');
}

export async function publishDigest(store: Store, digest: Digest, options: PublishOptions = {}): Promise<string[]> {
  assertDigest(digest);
  const written: string[] = [];
  const put = async (key: string, body: string, contentType: string, cacheControl: string): Promise<void> => {
    const opts: PutOptions = { contentType, cacheControl };
    await store.put(key, body, opts);
    written.push(key);
  };

  const existing = await store.list('site/');
  const existingSet = new Set(existing);
  const storedDates = existing.flatMap((k) => {
    const m = DIGEST_KEY.exec(k);
    return m ? [`${m[1]}-${m[2]}-${m[3]}`] : [];
  });
  const dates = [...new Set([...storedDates, digest.date])].sort();

  // Digests read from the store, once each; the one being published comes from memory.
  const cache = new Map<string, Promise<Digest | undefined>>([[digest.date, Promise.resolve(digest)]]);
  const load = (date: string): Promise<Digest | undefined> => {
    let p = cache.get(date);
    if (!p) {
      // A read error fails the publish (never an edition silently dropped from the archive).
      p = getJson<Digest>(store, digestKey(date)).then((d) => (d && Array.isArray(d.stories) && d.date === date ? d : undefined));
      cache.set(date, p);
    }
    return p;
  };

  const assets = siteAssets();
  const siteTitle = cleanLine(digest.title) || 'Daily digest';
  const siteUrl = options.siteUrl ? safeHttpUrl(options.siteUrl)?.replace(/\/+$/, '') : undefined;
  const lang = options.lang ?? 'en';
  const ctxFor = (root: string): PageContext => ({
    root,
    assets: { css: assets.css.path, icon: assets.icon.path, searchJs: assets.searchJs.path },
    siteTitle,
    siteUrl,
    subscribeEndpoint: options.subscribeEndpoint,
    lang,
    ...(options.subscribeChoices ? { subscribeChoices: options.subscribeChoices } : {}),
    images: options.images,
  });

  // 0. Assets the pages refer to.
  for (const [asset, type] of [
    [assets.css, TYPES.css],
    [assets.icon, TYPES.svg],
    [assets.searchJs, TYPES.js],
  ] as const) {
    if (!existingSet.has(`site/${asset.path}`)) await put(`site/${asset.path}`, asset.body, type, CACHE.immutable);
  }

  // 1. The dated page and its digest.json.
  const previousDate = dates.filter((d) => d < digest.date).pop();
  await put(
    `site/${dayPagePath(digest.date)}`,
    renderDailyPage(digest, ctxFor('../../../'), { previousDate, path: dayPagePath(digest.date) }),
    TYPES.html,
    CACHE.dated,
  );
  await putJson(store, digestKey(digest.date), digest, { cacheControl: CACHE.dated });
  written.push(digestKey(digest.date));

  // 2. The archive, from the remembered summaries reconciled with the digests in the store.
  const state = await getJson<ArchiveState>(store, ARCHIVE_STATE_KEY);
  const known = new Map((state?.days ?? []).filter((d) => d && typeof d.date === 'string').map((d) => [d.date, d]));
  const days: ArchiveDay[] = [];
  for (const date of dates) {
    if (date === digest.date) days.push(archiveDayOf(digest));
    else if (known.has(date)) days.push(known.get(date)!);
    else {
      const d = await load(date);
      if (d) days.push(archiveDayOf(d));
    }
  }
  await putJson(store, ARCHIVE_STATE_KEY, { version: 1, days } satisfies ArchiveState);
  await put('site/archive.html', renderArchivePage(days, ctxFor(''), weeksIn(existing)), TYPES.html, CACHE.short);
  const archived = days.map((d) => d.date).sort();

  // 3. Feeds: the newest days.
  const feedDigests = (await Promise.all(archived.slice(-FEED_ENTRIES).reverse().map(load))).filter((d): d is Digest => !!d);
  const feedCtx = { siteTitle, siteUrl, lang };
  await put('site/feed.xml', renderAtomFeed(feedDigests, feedCtx), TYPES.atom, CACHE.short);
  await put('site/feed.json', renderJsonFeed(feedDigests, feedCtx), TYPES.jsonFeed, CACHE.short);

  // 4. Search: this month's shard, any month whose shard is missing (every month when the shards
  // were built by another version of the word split), then the manifest and page.
  const months = [...new Set(archived.map((d) => d.slice(0, 7)))];
  const shards: SearchManifest['shards'] = [];
  const previous = existingSet.has(SEARCH_MANIFEST_KEY) ? await getJson<SearchManifest>(store, SEARCH_MANIFEST_KEY) : undefined;
  const rebuildAll = previous?.words !== SEARCH_WORDS_VERSION;
  for (const month of months) {
    const monthDates = archived.filter((d) => d.startsWith(month));
    const key = searchShardKey(month);
    if (rebuildAll || month === digest.date.slice(0, 7) || !existingSet.has(key)) {
      const monthDigests = (await Promise.all(monthDates.map(load))).filter((d): d is Digest => !!d);
      const shard = buildSearchShard(month, monthDigests);
      await put(key, JSON.stringify(shard), TYPES.json, CACHE.short);
      shards.push({ month, key: `${month}.json`, docs: shard.docs.length });
    } else {
      shards.push({
        month,
        key: `${month}.json`,
        docs: days.filter((d) => d.date.startsWith(month)).reduce((n, d) => n + d.stories, 0),
      });
    }
  }
  shards.sort((a, b) => b.month.localeCompare(a.month));
  const manifest: SearchManifest = { version: 1, words: SEARCH_WORDS_VERSION, generatedAt: digest.generatedAt, shards };
  await put(SEARCH_MANIFEST_KEY, JSON.stringify(manifest), TYPES.json, CACHE.short);
  await put('site/search.html', renderSearchPage(ctxFor('')), TYPES.html, CACHE.short);
  await put('site/404.html', renderNotFoundPage(ctxFor('/')), TYPES.html, CACHE.short);

  // 5. The front page: the newest day in the store (re-publishing an old day keeps it).
  const latestDate = archived[archived.length - 1] ?? digest.date;
  const latest = (await load(latestDate)) ?? digest;
  const latestPrevious = archived.filter((d) => d < latest.date).pop();
  await put(
    'site/index.html',
    renderDailyPage(latest, ctxFor(''), { previousDate: latestPrevious, path: dayPagePath(latest.date) }),
    TYPES.html,
    CACHE.short,
  );
  return written;
}

export interface OutageNoticeOptions extends PublishOptions {
  /** The digest date that could not be published. */
  date: string;
  /** When the feeds were tried (ISO 8601). */
  at: string;
  timezone: string;
  /** The digest's title, for a front page when no edition exists yet. */
  title: string;
}

/** "Feeds could not be reached at 07:00; this is Monday's digest.", in the chrome's language. */
export function outageNotice(at: string, timezone: string, showing: string | undefined, today: string, lang = 'en'): string {
  const t = chromeFor(lang);
  const time = formatClock(at, timezone, t.locale);
  if (!showing) return t.text('outageNoEarlier', { time });
  const daysBack = (Date.parse(`${today}T00:00:00Z`) - Date.parse(`${showing}T00:00:00Z`)) / 86_400_000;
  if (daysBack === 0) return t.text('outageToday', { time });
  if (daysBack < 7) return t.text('outageWeekday', { time, weekday: formatWeekday(showing, t.locale) });
  return t.text('outageDate', { time, date: formatLongDate(showing, t.locale) });
}

/**
 * The front page on a day every feed failed: the newest edition in the store, unchanged, under a
 * notice. Nothing else is written: the day gets no page of its own, no archive entry and no feed entry.
 */
export async function publishOutageNotice(
  store: Store,
  options: OutageNoticeOptions,
): Promise<{ keys: string[]; showing?: string }> {
  const dates = (await store.list('site/'))
    .flatMap((k) => {
      const m = DIGEST_KEY.exec(k);
      return m ? [`${m[1]}-${m[2]}-${m[3]}`] : [];
    })
    .sort();
  let latest: Digest | undefined;
  for (let i = dates.length - 1; i >= 0 && !latest; i--) {
    const d = await getJson<Digest>(store, digestKey(dates[i]));
    if (d && Array.isArray(d.stories) && d.date === dates[i]) latest = d;
  }
  const today = options.date;
  const shown: Digest = latest ?? {
    version: 1,
    title: options.title,
    date: today,
    timezone: options.timezone,
    generatedAt: options.at,
    stories: [],
    feeds: [],
    stats: { feedsOk: 0, feedsFailed: 0, feedsNotModified: 0, articlesExtracted: 0, articlesFromFeed: 0, stories: 0 },
  };
  const assets = siteAssets();
  const keys: string[] = [];
  for (const [asset, type] of [
    [assets.css, TYPES.css],
    [assets.icon, TYPES.svg],
    [assets.searchJs, TYPES.js],
  ] as const) {
    const key = `site/${asset.path}`;
    if (!(await store.get(key))) {
      await store.put(key, asset.body, { contentType: type, cacheControl: CACHE.immutable });
      keys.push(key);
    }
  }
  const ctx: PageContext = {
    root: '',
    assets: { css: assets.css.path, icon: assets.icon.path, searchJs: assets.searchJs.path },
    siteTitle: cleanLine(options.title) || 'Daily digest',
    siteUrl: options.siteUrl ? safeHttpUrl(options.siteUrl)?.replace(/\/+$/, '') : undefined,
    subscribeEndpoint: options.subscribeEndpoint,
    lang: options.lang ?? 'en',
    images: options.images,
  };
  const notice = outageNotice(options.at, options.timezone, latest?.date, today, ctx.lang);
  const previousDate = latest ? dates.filter((d) => d < latest.date).pop() : undefined;
  await store.put('site/index.html', renderDailyPage(shown, ctx, { previousDate, path: dayPagePath(shown.date), notice }), {
    contentType: TYPES.html,
    cacheControl: CACHE.short,
  });
  keys.push('site/index.html');
  return { keys, showing: latest?.date };
}
