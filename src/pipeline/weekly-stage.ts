/**
 * Publishing the week's edition on each run: site/YYYY/Www/index.html and weekly.json for the ISO
 * week of the run's date (rebuilt by every run of that week, so it grows through the week), then
 * site/weekly.xml, one entry per week. Runs before the daily pages are published, so the archive
 * that `publishDigest` writes next can link the week. Also builds what weekly readers whose weekday
 * is the run's date are mailed: the 7 days ending that day (see ./weekly.ts).
 *
 * A failure here (a stored digest that cannot be read) is returned, never thrown: the daily
 * edition and daily mail still go out, weekly readers are counted as failed and tried again by the
 * next run of the day.
 */
import { CACHE, digestKey, siteAssets, TYPES } from '../render/publish';
import { cleanLine, safeHttpUrl } from '../render/html';
import type { PageContext, SubscribeChoices } from '../render/layout';
import { renderWeeklyAtom, renderWeeklyPage, WEEKLY_FEED_ENTRIES, weeklyKey, weekPath, weeksIn } from '../render/weekly';
import { getJson, putJson, type Store } from '../store';
import type { Digest, WeeklyEdition } from '../types';
import { addDays } from './stories';
import { buildWeeklyEdition, datesBetween, isoWeekId, isoWeekOf, isoWeekRange, readDigests } from './weekly';

export interface WeeklyStageOptions {
  siteUrl?: string;
  subscribeEndpoint?: string;
  subscribeChoices?: SubscribeChoices;
  /** Language of the chrome (config digest.lang); English when absent. */
  lang?: string;
  /** The site's edition keeps the best this many stories (digest.maxStories). */
  maxStories: number;
}

export interface WeeklyStageResult {
  /** Keys written, in order. */
  keys: string[];
  /** The ISO week's edition as published. */
  site?: WeeklyEdition;
  /** The 7 days ending on the run's date: what weekly readers of that weekday get. */
  mail?: WeeklyEdition;
  /** Why nothing was published (a store read or write failed). */
  error?: string;
}

export async function publishWeekly(store: Store, digest: Digest, options: WeeklyStageOptions): Promise<WeeklyStageResult> {
  const keys: string[] = [];
  try {
    const week = isoWeekId(isoWeekOf(digest.date));
    const range = isoWeekRange(digest.date);
    const mailFrom = addDays(digest.date, -6);
    const dates = [...new Set([...datesBetween(mailFrom, digest.date), ...datesBetween(range.from, range.to)])].sort();
    const digests = await readDigests(store, dates, digestKey, digest);
    const common = { digests, title: digest.title, timezone: digest.timezone, generatedAt: digest.generatedAt };
    const site = buildWeeklyEdition({ ...common, ...range, week, maxStories: options.maxStories });
    const mail = buildWeeklyEdition({ ...common, from: mailFrom, to: digest.date, week });

    const put = async (key: string, body: string, contentType: string, cacheControl: string): Promise<void> => {
      await store.put(key, body, { contentType, cacheControl });
      keys.push(key);
    };
    const assets = siteAssets();
    // The first run may publish the week before the day: the page's stylesheet and icon come first.
    for (const [asset, type] of [
      [assets.css, TYPES.css],
      [assets.icon, TYPES.svg],
    ] as const) {
      if (!(await store.get(`site/${asset.path}`))) await put(`site/${asset.path}`, asset.body, type, CACHE.immutable);
    }
    const siteUrl = options.siteUrl ? safeHttpUrl(options.siteUrl)?.replace(/\/+$/, '') : undefined;
    const siteTitle = cleanLine(digest.title) || 'Daily digest';
    const ctx: PageContext = {
      root: '../../',
      assets: { css: assets.css.path, icon: assets.icon.path, searchJs: assets.searchJs.path },
      siteTitle,
      siteUrl,
      subscribeEndpoint: options.subscribeEndpoint,
      lang: options.lang ?? 'en',
      ...(options.subscribeChoices ? { subscribeChoices: options.subscribeChoices } : {}),
    };
    await put(`site/${weekPath(week)}/index.html`, renderWeeklyPage(site, ctx), TYPES.html, CACHE.short);
    await putJson(store, weeklyKey(week), site, { cacheControl: CACHE.short });
    keys.push(weeklyKey(week));

    // The feed: the newest weeks in the store, this one from memory.
    const weeks = [...new Set([...weeksIn(await store.list('site/')), week])].sort().reverse().slice(0, WEEKLY_FEED_ENTRIES);
    const editions: WeeklyEdition[] = [];
    for (const w of weeks) {
      const edition = w === week ? site : await getJson<WeeklyEdition>(store, weeklyKey(w));
      if (edition && Array.isArray(edition.stories) && edition.week === w) editions.push(edition);
    }
    await put('site/weekly.xml', renderWeeklyAtom(editions, { siteTitle, siteUrl, lang: ctx.lang }), TYPES.atom, CACHE.short);
    return { keys, site, mail };
  } catch (err) {
    return { keys, error: `weekly edition not published: ${(err as Error).message}` };
  }
}
