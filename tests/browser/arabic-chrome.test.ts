/**
 * The digest in Arabic chrome (digest.lang: ar), opened in Chromium: the site the pipeline built
 * from the fixture news sites, and the digest mail. Each document is right-to-left as a whole, no
 * English chrome is left in what a reader sees (fixture stories, in their own languages, set
 * aside), axe finds no serious violation, and the lead pictures are https only, described, lazy,
 * sent without a Referer and sized so the page does not move when they arrive. Picture requests
 * are answered by the test (Playwright routing): nothing leaves 127.0.0.1.
 */
import { AxeBuilder } from '@axe-core/playwright';
import { rm } from 'node:fs/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { localSitePolicy } from '../../src/cli/serve';
import { renderDigestEmail } from '../../src/email';
import { chromeFor } from '../../src/i18n';
import { buildFixtureSite, type BuiltSite } from '../fixtures/site/build';
import { FIXTURE_ARTICLES } from '../fixtures/site/articles';
import { startFixtureServer, type FixtureServer } from '../fixtures/site/server';
import { englishLeftovers, fixtureData } from '../i18n/leftovers';
import { artifactPath, launchBrowser, serveSite, watchPage, type SiteServer } from './harness';

const IMAGES = 'https://images.fixtures.example/**';
/**
 * A 3×2 PNG for every picture: the shape the bridge page declares (1200×800), and not the 16:9 of
 * the box the undeclared one is cropped into. Nothing may move when either arrives.
 */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAMAAAACCAIAAAASFvFNAAAADklEQVR4nGNogAEGOAsAWhQJAbISPYcAAAAASUVORK5CYII=',
  'base64',
);

let fixtures: FixtureServer;
let built: BuiltSite;
let site: SiteServer;
let browser: Browser;

beforeAll(async () => {
  fixtures = await startFixtureServer({ images: true });
  built = await buildFixtureSite(fixtures, { lang: 'ar', subscribeEndpoint: 'http://127.0.0.1:9/api' });
  // The policy `rss-digest serve` sends with pictures on (the deployed one adds upgrade-insecure-requests, which plain-http 127.0.0.1 cannot serve).
  site = await serveSite(built.outDir, { csp: localSitePolicy(true) });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
  await fixtures?.close();
  if (built) await rm(built.outDir, { recursive: true, force: true });
});

/** Picture requests are held until `release()`, then answered with PNG; none reaches the network. */
async function holdPictures(context: BrowserContext): Promise<{ release(): void; requested: string[] }> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const requested: string[] = [];
  await context.route(IMAGES, async (route) => {
    requested.push(route.request().url());
    await released;
    await route.fulfill({ status: 200, contentType: 'image/png', body: PNG });
  });
  return { release, requested };
}

async function seriousAxeViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** The text a reader sees or hears: the title, the rendered text, placeholders, labels and alt text. */
const readableText = (page: Page): Promise<string> =>
  page.evaluate(() =>
    [
      document.title,
      document.body.innerText,
      ...[...document.querySelectorAll('[placeholder], [aria-label], [alt], [title]')].flatMap((el) =>
        ['placeholder', 'aria-label', 'alt', 'title'].map((a) => el.getAttribute(a) ?? ''),
      ),
    ].join('\n'),
  );

const direction = (page: Page) =>
  page.evaluate(() => ({
    dir: document.dir,
    lang: document.documentElement.lang,
    html: getComputedStyle(document.documentElement).direction,
    body: getComputedStyle(document.body).direction,
  }));

describe('Arabic chrome in Chromium', () => {
  it('the pipeline built an Arabic-chrome day with stories in four languages and two pictures to show', () => {
    const { digest } = built.summary.publish;
    expect(digest.stories.map((s) => s.lang)).toEqual(expect.arrayContaining(['ar', 'en', 'he', 'ja']));
    expect(digest.stories.filter((s) => s.leadImage).length).toBeGreaterThanOrEqual(3);
  });

  for (const path of ['/index.html', '/archive.html', '/search.html', '/404.html']) {
    it(`${path} is right-to-left, has no English chrome and no serious axe violation`, async () => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 3000 } });
      const pictures = await holdPictures(context);
      pictures.release();
      const page = await context.newPage();
      const { problems } = watchPage(page);
      try {
        await page.goto(`${site.url}${path}`, { waitUntil: 'load' });
        expect(await direction(page)).toEqual({ dir: 'rtl', lang: 'ar', html: 'rtl', body: 'rtl' });
        expect(englishLeftovers(await readableText(page), 'ar', fixtureData(built.summary.publish.digest))).toEqual([]);
        expect(await seriousAxeViolations(page)).toEqual([]);
        // The 404 page answers 200 from the test server; any request that failed is a problem.
        expect(problems).toEqual([]);
        await page.screenshot({ path: await artifactPath(`arabic-chrome${path.replace(/\W+/g, '-')}.png`), fullPage: true });
      } finally {
        await context.close();
      }
    });
  }

  it('the search script answers in Arabic', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    try {
      await page.goto(`${site.url}/search.html?q=${encodeURIComponent('الرباط')}`, { waitUntil: 'load' });
      await page.waitForFunction(() => document.querySelectorAll('#search-results li').length > 0);
      const status = await page.textContent('#search-status');
      const count = await page.$$eval('#search-results li', (els) => els.length);
      expect(status).toBe(chromeFor('ar').count('searchFound', count));
      await page.fill('#search-q', 'zzzzqqq');
      await page.press('#search-q', 'Enter');
      await page.waitForFunction(
        (text) => document.getElementById('search-status')?.textContent === text,
        chromeFor('ar').text('searchNothing'),
      );
    } finally {
      await context.close();
    }
  });

  it('shows only https pictures, described, lazy, without a Referer, and nothing moves when they arrive', async () => {
    const context = await browser.newContext({ viewport: { width: 800, height: 4000 } });
    const pictures = await holdPictures(context);
    const page = await context.newPage();
    try {
      await page.goto(`${site.url}/index.html`, { waitUntil: 'domcontentloaded' });
      // The pictures are held, so 'load' never comes; the layout is measured once the stylesheet
      // applies (on a loaded machine it can arrive after DOMContentLoaded).
      await page.waitForFunction(
        () => (document.querySelector('link[rel="stylesheet"]') as HTMLLinkElement | null)?.sheet != null,
      );
      const layout = () =>
        page.$$eval('img.lead', (imgs) =>
          imgs.map((img) => {
            const box = img.getBoundingClientRect();
            const next = img.nextElementSibling?.getBoundingClientRect();
            return {
              top: Math.round(box.top),
              height: Math.round(box.height),
              width: Math.round(box.width),
              nextTop: Math.round(next?.top ?? 0),
            };
          }),
        );
      const before = await layout();
      const images = await page.$$eval('img.lead', (imgs) =>
        (imgs as HTMLImageElement[]).map((img) => ({
          src: img.getAttribute('src'),
          alt: img.getAttribute('alt'),
          width: img.getAttribute('width'),
          height: img.getAttribute('height'),
          loading: img.getAttribute('loading'),
          referrerpolicy: img.getAttribute('referrerpolicy'),
          complete: img.complete && img.naturalWidth > 0,
        })),
      );
      const bridge = FIXTURE_ARTICLES.find((a) => a.slug === 'harbor-bridge-reopens')!;
      const rabat = FIXTURE_ARTICLES.find((a) => a.slug === 'rabat-tram-line')!;
      expect(images).toEqual(
        expect.arrayContaining([
          // The page's own size and description.
          {
            src: bridge.image!.url,
            alt: bridge.image!.alt,
            width: '1200',
            height: '800',
            loading: 'lazy',
            referrerpolicy: 'no-referrer',
            complete: false,
          },
          // No size declared: the 16:9 box; the alt text was a file name, so the story's title describes it.
          {
            src: rabat.image!.url,
            alt: rabat.title,
            width: '640',
            height: '360',
            loading: 'lazy',
            referrerpolicy: 'no-referrer',
            complete: false,
          },
        ]),
      );
      // The http: picture of the coral story is never shown.
      expect(images.map((i) => i.src)).not.toContain(expect.stringMatching(/^http:/));
      expect(images).toHaveLength(2);
      for (const box of before) expect(box.height).toBeGreaterThan(100);

      pictures.release();
      await page.waitForFunction(() =>
        [...document.querySelectorAll('img.lead')].every((img) => (img as HTMLImageElement).complete),
      );
      expect(await page.$$eval('img.lead', (imgs) => imgs.every((img) => (img as HTMLImageElement).naturalWidth > 0))).toBe(true);
      expect(await layout()).toEqual(before);
      expect(pictures.requested.sort()).toEqual([bridge.image!.url, rabat.image!.url].sort());
    } finally {
      await context.close();
    }
  });

  it('the digest mail is right-to-left, has no English chrome and no serious axe violation', async () => {
    const { digest } = built.summary.publish;
    const mail = renderDigestEmail(
      digest,
      {
        webUrl: `${site.url}/2026/11/29/`,
        unsubscribeUrl: `${site.url}/api/unsubscribe?token=abc.def`,
        siteUrl: site.url,
      },
      { lang: 'ar', images: true },
    );
    // Scripting stays on for axe; the mail has none of its own.
    const context = await browser.newContext({ viewport: { width: 700, height: 1200 } });
    const pictures = await holdPictures(context);
    pictures.release();
    const page = await context.newPage();
    try {
      await page.setContent(mail.html, { waitUntil: 'load' });
      expect(await direction(page)).toEqual({ dir: 'rtl', lang: 'ar', html: 'rtl', body: 'rtl' });
      const data = [...fixtureData(digest), site.url];
      expect(englishLeftovers(await readableText(page), 'ar', data)).toEqual([]);
      expect(englishLeftovers(mail.text, 'ar', data)).toEqual([]);
      expect(englishLeftovers(mail.subject, 'ar', data)).toEqual([]);
      // Stories keep their own direction inside the Arabic mail.
      const storyDirs = await page.$$eval('td[lang]', (tds) =>
        tds.map((td) => [td.getAttribute('lang'), getComputedStyle(td).direction]),
      );
      expect(storyDirs).toEqual(
        expect.arrayContaining([
          ['en', 'ltr'],
          ['ar', 'rtl'],
        ]),
      );
      const alts = await page.$$eval('img', (imgs) => imgs.map((img) => img.getAttribute('alt') ?? ''));
      expect(alts.length).toBeGreaterThan(0);
      for (const alt of alts) expect(alt).not.toMatch(/\.(jpe?g|png)$/i);
      expect(await seriousAxeViolations(page)).toEqual([]);
      await page.screenshot({ path: await artifactPath('arabic-chrome-mail.png'), fullPage: true });
    } finally {
      await context.close();
    }
  });
});
