/**
 * Lead pictures: which ones may be shown (https, no secret in the URL), how they are sized and
 * described, and where they appear (pages by default, mail only when asked).
 */
import * as cheerio from 'cheerio';
import { renderDigestEmail } from '../../src/email';
import { extractArticle } from '../../src';
import { renderDailyPage, siteAssets, type PageContext } from '../../src/render';
import { leadImageOf } from '../../src/render/lead-image';
import { digest, story } from './digests';

const assets = siteAssets();
const ctx = (images: boolean): PageContext => ({
  root: '',
  assets: { css: assets.css.path, icon: assets.icon.path, searchJs: assets.searchJs.path },
  siteTitle: 'Morning digest',
  lang: 'en',
  images,
});
const links = {
  webUrl: 'https://digest.example.org/2026/11/29/',
  unsubscribeUrl: 'https://digest.example.org/api/unsubscribe?token=abc.def',
  siteUrl: 'https://digest.example.org',
};

describe('lead images', () => {
  it('shows only https pictures whose URL carries no secret', () => {
    expect(leadImageOf(story({ leadImage: 'https://img.example/a.jpg' }))?.src).toBe('https://img.example/a.jpg');
    expect(leadImageOf(story({ leadImage: 'http://img.example/a.jpg' }))).toBeUndefined();
    expect(leadImageOf(story({ leadImage: 'data:image/png;base64,AAAA' }))).toBeUndefined();
    expect(leadImageOf(story({ leadImage: 'javascript:alert(1)' }))).toBeUndefined();
    // A signed or tokened URL would leak its secret to every reader: never shown.
    expect(leadImageOf(story({ leadImage: 'https://img.example/a.jpg?token=s3cr3t' }))).toBeUndefined();
    expect(leadImageOf(story({ leadImage: 'https://user:pw@img.example/a.jpg' }))).toBeUndefined();
    expect(leadImageOf(story({}))).toBeUndefined();
  });

  it('uses the declared size and alt text, else a 16:9 box and the title', () => {
    expect(
      leadImageOf(
        story({
          leadImage: 'https://img.example/a.jpg',
          leadImageWidth: 1200,
          leadImageHeight: 800,
          leadImageAlt: 'Cars on the bridge',
        }),
      ),
    ).toEqual({ src: 'https://img.example/a.jpg', width: 1200, height: 800, boxed: false, alt: 'Cars on the bridge' });
    expect(leadImageOf(story({ leadImage: 'https://img.example/a.jpg' }))).toEqual({
      src: 'https://img.example/a.jpg',
      width: 640,
      height: 360,
      boxed: true,
      alt: 'Harbor Bridge reopens to traffic after 18-month rebuild',
    });
  });

  it('appears on the page when site.images.page is on, with every attribute that keeps it cheap and private', () => {
    const d = digest({ stories: [story({ leadImage: 'https://img.example/a.jpg?w=800&x="><script>' })] });
    const $ = cheerio.load(renderDailyPage(d, ctx(true), { path: 'index.html' }));
    const img = $('article img');
    expect(img.attr()).toMatchObject({
      class: 'lead box',
      src: 'https://img.example/a.jpg?w=800&x=%22%3E%3Cscript%3E',
      width: '640',
      height: '360',
      loading: 'lazy',
      referrerpolicy: 'no-referrer',
      alt: 'Harbor Bridge reopens to traffic after 18-month rebuild',
    });
    expect($('script').length).toBe(0);
    expect(cheerio.load(renderDailyPage(d, ctx(false), { path: 'index.html' }))('img').length).toBe(0);
  });

  it('stays out of mail unless site.images.mail asks for it', () => {
    const d = digest({
      stories: [story({ leadImage: 'https://img.example/a.jpg', leadImageWidth: 1000, leadImageHeight: 500 })],
    });
    expect(renderDigestEmail(d, links).html).not.toContain('<img');
    const $ = cheerio.load(renderDigestEmail(d, links, { images: true }).html);
    expect($('img').attr()).toMatchObject({
      src: 'https://img.example/a.jpg',
      width: '536',
      height: '268',
      loading: 'lazy',
      referrerpolicy: 'no-referrer',
      alt: 'Harbor Bridge reopens to traffic after 18-month rebuild',
    });
  });
});

describe('lead image metadata', () => {
  const URL = 'https://news.fixtures.example/2024/ferry';
  const page = (head: string): string =>
    `<!doctype html><html lang="en"><head>${head}</head><body><article><h1>Ferry</h1>${'<p>The ferry service resumed this week after repairs to the pier were finished ahead of schedule.</p>'.repeat(6)}</article></body></html>`;

  it('reads og:image with its declared size and alt text', () => {
    const got = extractArticle(
      page(
        '<meta property="og:image" content="/img/ferry.jpg"><meta property="og:image:width" content="1200"><meta property="og:image:height" content="630"><meta property="og:image:alt" content="The ferry at the pier">',
      ),
      URL,
    );
    expect(got).toMatchObject({
      leadImage: 'https://news.fixtures.example/img/ferry.jpg',
      leadImageWidth: 1200,
      leadImageHeight: 630,
      leadImageAlt: 'The ferry at the pier',
    });
  });

  it('drops a size that is not one and an alt text that is a file name', () => {
    const got = extractArticle(
      page(
        '<meta property="og:image" content="/img/ferry.jpg"><meta property="og:image:width" content="wide"><meta property="og:image:height" content="630"><meta property="og:image:alt" content="DSC_0042.JPG">',
      ),
      URL,
    );
    expect(got.leadImage).toBe('https://news.fixtures.example/img/ferry.jpg');
    expect(got).not.toHaveProperty('leadImageWidth');
    expect(got).not.toHaveProperty('leadImageAlt');
  });
});
