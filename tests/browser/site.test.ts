/// <reference lib="dom" />
/**
 * The digest as readers see it, in headless Chromium under the production CSP: built by the real
 * pipeline from English, Arabic and Hebrew fixture feeds, checked at phone and desktop widths in
 * light and dark, for direction, accessibility (axe-core), console errors, horizontal scroll,
 * third-party requests, search, print and no-JavaScript reading.
 */
import { AxeBuilder } from '@axe-core/playwright';
import { rm } from 'node:fs/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { buildFixtureSite, type BuiltSite } from '../fixtures/site/build';
import { startFixtureServer, type FixtureServer } from '../fixtures/site/server';
import { artifactPath, launchBrowser, serveSite, watchPage, type SiteServer } from './harness';

let fixtures: FixtureServer;
let built: BuiltSite;
let site: SiteServer;
let browser: Browser;

beforeAll(async () => {
  fixtures = await startFixtureServer();
  built = await buildFixtureSite(fixtures, { subscribeEndpoint: 'http://127.0.0.1:9/api' });
  site = await serveSite(built.outDir);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
  await fixtures?.close();
  if (built) await rm(built.outDir, { recursive: true, force: true });
});

async function open(
  path: string,
  options: Parameters<Browser['newContext']>[0] = {},
): Promise<{ context: BrowserContext; page: Page; problems: string[]; dialogs: string[]; offsite: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
  const page = await context.newPage();
  const { problems, dialogs } = watchPage(page);
  const offsite: string[] = [];
  page.on('request', (r) => {
    if (!r.url().startsWith(site.url)) offsite.push(r.url());
  });
  await page.goto(`${site.url}${path}`, { waitUntil: 'load' });
  return { context, page, problems, dialogs, offsite };
}

async function seriousAxeViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

describe('the digest page in Chromium', () => {
  it('the pipeline produced the stories the checks rely on', () => {
    const stories = built.summary.publish.digest.stories;
    expect(stories.map((s) => s.lang).sort()).toEqual(expect.arrayContaining(['ar', 'en', 'he', 'ja']));
    expect(built.summary.failures.map((f) => f.kind)).toEqual(expect.arrayContaining(['feed', 'page']));
  });

  for (const width of [375, 1280]) {
    for (const colorScheme of ['light', 'dark'] as const) {
      // axe-core takes seconds per run: each scheme and each width is audited once.
      const audit = (width === 375) === (colorScheme === 'dark');
      it(`at ${width} px in ${colorScheme}: no horizontal scroll, no console errors${audit ? ', no serious axe violations' : ''}`, async () => {
        const { context, page, problems, dialogs, offsite } = await open('/index.html', {
          viewport: { width, height: 900 },
          colorScheme,
        });
        try {
          const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
          expect(overflow).toBeLessThanOrEqual(0);
          const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
          expect(bg).toBe(colorScheme === 'dark' ? 'rgb(21, 23, 26)' : 'rgb(255, 255, 255)');
          await page.screenshot({ path: await artifactPath(`digest-${width}-${colorScheme}.png`), fullPage: true });
          if (audit) expect(await seriousAxeViolations(page)).toEqual([]);
          expect(problems).toEqual([]);
          expect(dialogs).toEqual([]);
          expect(offsite).toEqual([]);
        } finally {
          await context.close();
        }
      });
    }
  }

  it('renders the Arabic and Hebrew stories right-to-left inside the left-to-right page', async () => {
    const { context, page, problems } = await open('/2026/11/29/index.html', { viewport: { width: 375, height: 800 } });
    try {
      const dirs = await page.$$eval('article', (els) =>
        els.map((a) => {
          const h = a.querySelector('h3')!;
          const hr = h.getBoundingClientRect();
          const ar = a.getBoundingClientRect();
          const text = h.querySelector('a')!.getBoundingClientRect();
          return {
            lang: a.getAttribute('lang'),
            direction: getComputedStyle(h).direction,
            // Which edge the headline's text hugs.
            hugsRight: Math.abs(ar.right - hr.right) < 2 && Math.abs(text.right - hr.right) < 24,
            hugsLeft: Math.abs(text.left - ar.left) < 2,
          };
        }),
      );
      expect(await page.evaluate(() => getComputedStyle(document.documentElement).direction)).toBe('ltr');
      for (const d of dirs) {
        if (d.lang === 'ar' || d.lang === 'he') {
          expect(d).toMatchObject({ direction: 'rtl', hugsRight: true });
        } else {
          expect(d).toMatchObject({ direction: 'ltr', hugsLeft: true });
        }
      }
      expect(dirs.filter((d) => d.lang === 'ar')).toHaveLength(2);
      // The source name of an Arabic story is isolated and shown right-to-left.
      const source = await page.$eval('article[lang="ar"] .m bdi', (b) => ({
        text: b.textContent,
        dir: getComputedStyle(b).direction,
        bidi: getComputedStyle(b).unicodeBidi,
      }));
      expect(source).toEqual({ text: 'صحيفة المدينة', dir: 'rtl', bidi: 'isolate' });
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('shows every source one click away, the feed-text marker, the failed feeds and the subscribe form', async () => {
    const { context, page } = await open('/2026/11/29/index.html');
    try {
      const bridge = page.locator('article', { hasText: 'Harbor Bridge reopens' });
      const sources = bridge.locator('details.src');
      // Which feed is named first depends on which answered first (the same article in both).
      const line = (await sources.locator('summary').textContent()) ?? '';
      expect(
        line
          .replace(/^2 sources: /, '')
          .split(', ')
          .sort(),
      ).toEqual(['Northern Ledger', 'Science Wire']);
      await expect(sources.locator('li').first().isVisible()).resolves.toBe(false);
      await sources.locator('summary').click();
      await expect(sources.locator('li').first().isVisible()).resolves.toBe(true);
      // The bridge article as carried by each feed, and Science Wire's engineers article: each with its link.
      await expect(sources.locator('li').count()).resolves.toBe(3);
      await expect(sources.locator('li a[href^="http"]').count()).resolves.toBe(3);
      const libraries = page.locator('article', { hasText: 'Public libraries end late fees' });
      await expect(libraries.locator('.f').textContent()).resolves.toBe('summary from feed text');
      await expect(page.locator('footer details summary').textContent()).resolves.toBe('1 feed of 6 failed today');
      await page.locator('footer details summary').click();
      await expect(page.locator('footer details li').textContent()).resolves.toContain('Downtown Courier (http-5xx, HTTP 503)');
      await expect(page.locator('form[method="post"]').getAttribute('action')).resolves.toBe('http://127.0.0.1:9/api/subscribe');
      expect(await page.locator('script').count()).toBe(0);
    } finally {
      await context.close();
    }
  });

  it('is keyboard navigable: the first Tab reaches the skip link, which leads to the stories', async () => {
    const { context, page } = await open('/index.html');
    try {
      await page.keyboard.press('Tab');
      const focused = await page.evaluate(() => ({
        cls: document.activeElement?.className,
        left: document.activeElement?.getBoundingClientRect().left,
      }));
      expect(focused.cls).toBe('skip');
      expect(focused.left).toBeGreaterThanOrEqual(0);
      await page.keyboard.press('Enter');
      expect(await page.evaluate(() => location.hash)).toBe('#main');
    } finally {
      await context.close();
    }
  });

  it('reads without JavaScript, and prints without navigation and forms', async () => {
    const { context, page } = await open('/index.html', { javaScriptEnabled: false });
    try {
      expect(await page.locator('article').count()).toBe(built.summary.publish.digest.stories.length);
      await page.goto(`${site.url}/search.html`);
      await expect(page.locator('#search-status').textContent()).resolves.toContain('needs JavaScript');
      await page.goto(`${site.url}/index.html`);
      await page.emulateMedia({ media: 'print' });
      const hidden = await page.evaluate(() =>
        ['.top nav', '.top form', '.sub', 'footer nav'].map((s) => getComputedStyle(document.querySelector(s)!).display),
      );
      expect(hidden).toEqual(['none', 'none', 'none', 'none']);
    } finally {
      await context.close();
    }
  });

  it('searches the archive in English, Arabic, Hebrew and Japanese, loading the index only on the search page', async () => {
    const daily = await open('/index.html');
    await daily.context.close();
    expect(site.requests.filter((p) => p.startsWith('/search/'))).toEqual([]);

    const { context, page, problems } = await open('/search.html?q=bridge');
    try {
      const titles = async () => page.$$eval('#search-results li h3', (hs) => hs.map((h) => h.textContent));
      await page.waitForFunction(() => /found/.test(document.getElementById('search-status')!.textContent ?? ''));
      // Both bridge articles report the same rebuild: one story, found once.
      expect((await titles()).sort()).toEqual(['Harbor Bridge reopens to traffic after 18-month rebuild']);

      const search = async (q: string) => {
        await page.fill('#search-q', q);
        await page.press('#search-q', 'Enter');
        await page.waitForFunction(
          (query) =>
            new URLSearchParams(location.search).get('q') === query &&
            /found|No stories/.test(document.getElementById('search-status')!.textContent ?? ''),
          q,
        );
        return titles();
      };
      // Arabic: "محطه" (hā' for tā' marbūṭa), "حكومة" without its article, "الرباط" with it.
      // The title match ranks above the tram story, whose summary mentions its twelve stations.
      expect(await search('محطه')).toEqual([
        'الحكومة تعلن عن محطة جديدة لتحلية مياه البحر في الدار البيضاء',
        'افتتاح خط جديد للترامواي يربط الرباط بسلا',
      ]);
      expect(await search('حكومة')).toEqual(['الحكومة تعلن عن محطة جديدة لتحلية مياه البحر في الدار البيضاء']);
      expect(await search('الرباط ترامواي')).toEqual(['افتتاح خط جديد للترامواي يربط الرباط بسلا']);
      expect(await search('רכבת')).toEqual(['הקו הסגול של הרכבת הקלה ייפתח לנוסעים בחודש הבא']);
      // Japanese has no spaces: "公園" (park) and "承認" (approval) sit mid-title, "避難場所" in the summary.
      expect(await search('公園')).toEqual(['市議会が川沿いの新しい公園計画を承認']);
      expect(await search('承認 市議会')).toEqual(['市議会が川沿いの新しい公園計画を承認']);
      expect(await search('公園計画書')).toEqual([]);
      expect(await search('reefs heatwave')).toEqual([
        'Coral reefs recover faster when fishing pauses during heatwaves, study finds',
      ]);
      expect(await search('zebra')).toEqual([]);
      const ar = await page.$$eval('#search-results li', (lis) => lis.length);
      expect(ar).toBe(0);
      // The engineers' article is a source of the bridge story: its headline finds the story.
      expect(await search('engineers')).toEqual(['Harbor Bridge reopens to traffic after 18-month rebuild']);
      await search('ترامواي');
      expect(await page.$eval('#search-results li', (li) => [li.getAttribute('lang'), getComputedStyle(li).direction])).toEqual([
        'ar',
        'rtl',
      ]);
      await page.screenshot({ path: await artifactPath('search-arabic.png') });
      expect(site.requests).toEqual(expect.arrayContaining(['/search/index.json', '/search/2026-11.json']));
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('serves an Atom feed the browser parses as well-formed XML', async () => {
    const { context, page } = await open('/index.html');
    try {
      const result = await page.evaluate(async () => {
        const text = await (await fetch('feed.xml')).text();
        const doc = new DOMParser().parseFromString(text, 'application/xml');
        return {
          error: doc.getElementsByTagName('parsererror').length,
          entries: doc.getElementsByTagName('entry').length,
          ns: doc.documentElement.namespaceURI,
        };
      });
      expect(result).toEqual({ error: 0, entries: 1, ns: 'http://www.w3.org/2005/Atom' });
    } finally {
      await context.close();
    }
  });
});

describe('the weekly edition in Chromium', () => {
  it('is linked from the archive, reads without errors, passes axe, and its weekly.xml is well-formed Atom', async () => {
    const { context, page, problems, offsite } = await open('/archive.html', { viewport: { width: 375, height: 900 } });
    try {
      // 29 November 2026 is a Sunday: the last day of ISO week 48.
      const link = page.locator('#weeks + ul a');
      expect(await link.allTextContents()).toEqual(['Week 48, 2026']);
      await link.click();
      await page.waitForURL(/\/2026\/W48\/index\.html$/);
      expect(await page.locator('h1').textContent()).toBe('Week 48, 2026');
      const stories = built.summary.publish.digest.stories;
      expect(await page.locator('main article').count()).toBe(stories.length);
      // Stories keep their own language and direction on the weekly page too.
      const arabic = page.locator('main article[lang="ar"]').first();
      expect(await arabic.evaluate((el) => getComputedStyle(el).direction)).toBe('rtl');
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      expect(await seriousAxeViolations(page)).toEqual([]);
      const feed = await page.evaluate(async () => {
        const text = await (await fetch('../../weekly.xml')).text();
        const doc = new DOMParser().parseFromString(text, 'application/xml');
        return { error: doc.getElementsByTagName('parsererror').length, entries: doc.getElementsByTagName('entry').length };
      });
      expect(feed).toEqual({ error: 0, entries: 1 });
      await page.screenshot({ path: await artifactPath('weekly-375.png'), fullPage: true });
      expect(problems).toEqual([]);
      expect(offsite).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
