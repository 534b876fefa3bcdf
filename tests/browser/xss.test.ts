/// <reference lib="dom" />
/**
 * The XSS test through the whole pipeline: a hostile feed (script tags, event handlers, SVG,
 * MathML, javascript:/data: links, attribute breakouts, bidi overrides in titles, summaries,
 * source name, category and links) and a hostile article page go through fetch, extraction,
 * summarizing and publishing; then, in a real browser and WITHOUT a Content-Security-Policy (so
 * the escaping itself is tested, not CSP's backstop), nothing executes and the text shows literally.
 */
import { rm } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { cleanLine } from '../../src/render';
import type { Digest } from '../../src/types';
import { buildFixtureSite, type BuiltSite } from '../fixtures/site/build';
import { startFixtureServer, type FixtureServer } from '../fixtures/site/server';
import { artifactPath, launchBrowser, serveSite, watchPage, type SiteServer } from './harness';

let fixtures: FixtureServer;
let built: BuiltSite;
let site: SiteServer;
let browser: Browser;
let digest: Digest;

beforeAll(async () => {
  fixtures = await startFixtureServer();
  built = await buildFixtureSite(fixtures, { hostile: true, subscribeEndpoint: 'http://127.0.0.1:9/api' });
  digest = built.summary.publish.digest;
  site = await serveSite(built.outDir, { csp: false });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
  await fixtures?.close();
  if (built) await rm(built.outDir, { recursive: true, force: true });
});

/** Everything that would show that markup from the feed became live DOM, or that code ran. */
async function inspect(page: Page) {
  // Give timers, onload/onerror handlers and autofocus a chance to fire; hover and focus everything.
  for (const el of await page.$$('main h2, main h3, main h3 a, main .m, main bdi, main p'))
    await el.hover({ timeout: 200, trial: false }).catch(() => undefined);
  await page.keyboard.press('Tab');
  await page.waitForTimeout(150);
  return page.evaluate(() => {
    const all = [...document.querySelectorAll('*')];
    return {
      xss: (window as unknown as { __xss?: unknown }).__xss ?? null,
      scripts: [...document.scripts].map((s) => s.src.replace(location.origin, '')),
      dangerous: all
        .filter(
          (e) =>
            /^(img|svg|math|iframe|object|embed|style|base|meta|link|form|input|b|mglyph|mtext)$/i.test(e.localName) &&
            !e.closest('head, header, aside, #search-form'),
        )
        .map((e) => e.localName),
      handlers: all.flatMap((e) =>
        [...e.attributes]
          .filter((a) => /^on/i.test(a.name) || a.name === 'style' || a.name === 'autofocus')
          .map((a) => `${e.localName}[${a.name}]`),
      ),
      badLinks: [...document.querySelectorAll('[href], [src], [action]')]
        .map((e) => e.getAttribute('href') ?? e.getAttribute('src') ?? e.getAttribute('action') ?? '')
        .filter((h) => /^\s*(javascript|data|vbscript):/i.test(h) || /[\u202A-\u202E\u2066-\u2069]/.test(h)),
      bidiControls: /[\u202A-\u202E\u2066-\u2069]/.test(document.body.innerText),
    };
  });
}

describe('hostile feeds, in a real browser with no CSP', () => {
  it('carried hostile markup all the way into the digest (so the test means something)', () => {
    const strings = digest.stories.flatMap((s) => [s.title, s.source, s.category ?? '', ...s.summary]);
    expect(strings.some((s) => s.includes('<script>'))).toBe(true);
    expect(strings.some((s) => s.includes('onerror='))).toBe(true);
    expect(strings.some((s) => /[\u202A-\u202E]/.test(s))).toBe(true);
    expect(digest.stories.some((s) => s.title.includes('"><svg'))).toBe(true);
    // javascript: and data: links never became stories.
    expect(digest.stories.map((s) => s.url).filter((u) => !/^http:\/\/127\.0\.0\.1:\d+\//.test(u))).toEqual([]);
    expect(digest.stories.length).toBeGreaterThanOrEqual(3);
  });

  for (const path of ['/index.html', '/2026/11/29/index.html', '/archive.html']) {
    it(`${path}: nothing executes, nothing becomes markup, and the text shows literally`, async () => {
      const context = await browser.newContext({ viewport: { width: 800, height: 900 } });
      const page = await context.newPage();
      const { problems, dialogs } = watchPage(page);
      try {
        await page.goto(`${site.url}${path}`, { waitUntil: 'load' });
        const found = await inspect(page);
        expect(found).toEqual({ xss: null, scripts: [], dangerous: [], handlers: [], badLinks: [], bidiControls: false });
        expect(dialogs).toEqual([]);
        expect(problems).toEqual([]);
        if (path !== '/archive.html') {
          const shown = await page.$$eval('article', (as) =>
            as.map((a) => ({
              title: a.querySelector('h3')!.textContent,
              source: a.querySelector('.m bdi')!.textContent,
              summary: a.querySelector('p:not(.m)')?.textContent ?? '',
            })),
          );
          expect(shown).toEqual(
            digest.stories.map((s) => ({
              title: cleanLine(s.title),
              source: cleanLine(s.source),
              summary: s.summary.map(cleanLine).join(' '),
            })),
          );
          expect(shown.some((s) => s.summary.includes(`<script>window.__xss='page'</script>`))).toBe(true);
          const sections = await page.$$eval('main h2', (hs) => hs.map((h) => h.textContent));
          expect(sections).toContain(`<b onmouseover="window.__xss='category'">Hostile</b>`);
          expect(await page.title()).toContain(`Digest <script>window.__xss='config'</script>`);
          await page.screenshot({ path: await artifactPath('xss-digest.png'), fullPage: true });
        }
      } finally {
        await context.close();
      }
    });
  }

  it('the Atom and JSON feeds carry the hostile text escaped, never as markup', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    try {
      await page.goto(`${site.url}/index.html`);
      const result = await page.evaluate(async () => {
        const inert = (html: string) => {
          // DOMParser documents are inert: scripts never run, images never load.
          const doc = new DOMParser().parseFromString(html, 'text/html');
          const all = [...doc.body.querySelectorAll('*')];
          return {
            bad: all.filter((e) => /^(script|img|svg|math|iframe|style|b)$/i.test(e.localName)).map((e) => e.localName),
            handlers: all.flatMap((e) => [...e.attributes].filter((a) => /^on|^style$/i.test(a.name)).map((a) => a.name)),
            links: [...doc.querySelectorAll('a')].map((a) => a.getAttribute('href') ?? '').filter((h) => !/^https?:\/\//.test(h)),
            titles: [...doc.querySelectorAll('h3')].map((h) => h.textContent),
          };
        };
        const xml = new DOMParser().parseFromString(await (await fetch('feed.xml')).text(), 'application/xml');
        const json = await (await fetch('feed.json')).json();
        return {
          parseErrors: xml.getElementsByTagName('parsererror').length,
          atom: inert(xml.getElementsByTagName('content')[0]!.textContent ?? ''),
          json: inert(json.items[0].content_html),
        };
      });
      const titles = digest.stories.map((s) => cleanLine(s.title));
      expect(result).toEqual({
        parseErrors: 0,
        atom: { bad: [], handlers: [], links: [], titles },
        json: { bad: [], handlers: [], links: [], titles },
      });
    } finally {
      await context.close();
    }
  });

  it('search results built in the browser stay text too', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const { problems, dialogs } = watchPage(page);
    try {
      await page.goto(`${site.url}/search.html?q=script`, { waitUntil: 'load' });
      await page.waitForFunction(() => /found/.test(document.getElementById('search-status')!.textContent ?? ''));
      const found = await inspect(page);
      expect(found).toEqual({
        xss: null,
        scripts: [expect.stringMatching(/^\/assets\/search\.[0-9a-f]+\.js$/)],
        dangerous: [],
        handlers: [],
        badLinks: [],
        bidiControls: false,
      });
      const titles = await page.$$eval('#search-results h3', (hs) => hs.map((h) => h.textContent));
      expect(titles.length).toBeGreaterThan(0);
      for (const t of titles) expect(digest.stories.map((s) => cleanLine(s.title))).toContain(t);
      expect(dialogs).toEqual([]);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
