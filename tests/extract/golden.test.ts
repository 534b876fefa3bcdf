/**
 * Golden pages: one folder per case under tests/fixtures/pages/<slug>/ with source.html and the expected text,
 * HTML and metadata. `UPDATE_GOLDEN=1 npx jest tests/extract` rewrites the expectations for review in the diff.
 * The page URL is https://fixtures.example/<slug>/ unless the folder has a url.txt.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as cheerio from 'cheerio';
import { extractArticle, type ArticleExtraction } from '../../src/extract';
import { expectGolden } from '../helpers/golden';

const PAGES = join(__dirname, '..', 'fixtures', 'pages');
const cases = readdirSync(PAGES)
  .filter((d) => existsSync(join(PAGES, d, 'source.html')))
  .sort();

function urlFor(slug: string): string {
  const f = join(PAGES, slug, 'url.txt');
  return existsSync(f) ? readFileSync(f, 'utf8').trim() : `https://fixtures.example/${slug}/`;
}

function run(slug: string, html?: string): ArticleExtraction {
  return extractArticle(html ?? readFileSync(join(PAGES, slug, 'source.html'), 'utf8'), urlFor(slug));
}

const metaOf = ({ text: _text, html: _html, ...meta }: ArticleExtraction): Record<string, unknown> => meta;

describe('golden pages', () => {
  it('has the required cases', () => {
    for (const slug of [
      'ar-seed',
      'fa-no-lang',
      'ja-news',
      'jsonld-only',
      'comments-longer-than-article',
      'no-article-section-front',
      'site-rule-inline-promos',
    ]) {
      expect(cases).toContain(slug);
    }
  });

  it.each(cases)('%s matches its expected text, HTML and metadata', (slug) => {
    const dir = join(PAGES, slug);
    const got = run(slug);
    expectGolden(join(dir, 'expected.txt'), got.text + '\n');
    expectGolden(join(dir, 'expected.html'), got.html + '\n');
    expectGolden(join(dir, 'expected-meta.json'), JSON.stringify(metaOf(got), null, 2) + '\n');
  });
});

// Independent checks, so that a regenerated golden file cannot quietly encode a wrong answer.
describe('golden page properties', () => {
  const seedHtml = readFileSync(join(PAGES, 'ar-seed', 'source.html'), 'utf8');

  it('ar-seed: the text is exactly the body paragraphs, in Arabic, right to left, dated from the metadata', () => {
    const got = run('ar-seed');
    const $ = cheerio.load(seedHtml);
    // The body paragraphs as the page's author marked them: every <p> of the article body container.
    const bodyParagraphs = $('article p')
      .filter((_, p) => !$(p).closest('header, figure, section, .article-topics, #comments').length)
      .map((_, p) => $(p).text().replace(/\s+/g, ' ').trim())
      .get();
    expect(bodyParagraphs.length).toBeGreaterThan(15);
    expect(got.text.split('\n')).toEqual(bodyParagraphs);
    expect(got.lang).toBe('ar');
    expect(got.dir).toBe('rtl');
    expect(got.publishedAt).toBe(new Date($('meta[property="article:published_time"]').attr('content')!).toISOString());
    expect(got.byline).toBe($('meta[name=author]').attr('content'));
    // Captions, byline, standfirst, tag list and comments are not body text.
    for (const sel of ['figcaption', '.author-title', 'h2', '.article-topics', '#comments', 'aside', 'footer']) {
      $(sel).each((_, el) => {
        const t = $(el).text().replace(/\s+/g, ' ').trim();
        if (t) expect(got.text).not.toContain(t);
      });
    }
  });

  it('ar-seed: the same text when the markup uses divs instead of header/figure/section elements', () => {
    const variant = seedHtml
      .replace(/<(\/?)header\b/g, '<$1div')
      .replace(/<(\/?)figure\b/g, '<$1div')
      .replace(/<(\/?)figcaption\b/g, '<$1div')
      .replace(/<(\/?)section\b/g, '<$1div')
      .replace(/<(\/?)aside\b/g, '<$1div')
      .replace(/<(\/?)main\b/g, '<$1div')
      .replace(/<(\/?)article\b/g, '<$1div');
    expect(run('ar-seed', variant).text).toBe(run('ar-seed').text);
  });

  it('ar-seed: the same text without any class or id attribute (structure alone, no English hints)', () => {
    expect(run('ar-seed', seedHtml.replace(/\s(class|id)="[^"]*"/g, '')).text).toBe(run('ar-seed').text);
  });

  it('fa-no-lang: detects Persian when the page declares no language, and writes right to left', () => {
    const got = run('fa-no-lang');
    expect(got.lang).toBe('fa');
    expect(got.dir).toBe('rtl');
    expect(got.text).not.toContain('برچسب'); // tag list
    expect(got.text).not.toContain('پربازدیدترین'); // most-read box
    expect(got.text).not.toContain('بیشتر بخوانید'); // inline "read more" link
  });

  it('ja-news: Japanese body with its subheading, without caption, tags or related links', () => {
    const got = run('ja-news');
    expect(got.lang).toBe('ja');
    expect(got.dir).toBe('ltr');
    expect(got.text.split('\n')).toContain('各区市町村の対応に差');
    expect(got.html).toContain('<h2>各区市町村の対応に差</h2>');
    for (const t of ['資料写真', '関連キーワード', '関連記事', 'アクセスランキング', '山田 花子'])
      expect(got.text).not.toContain(t);
  });

  it('jsonld-only: an app shell whose body is only in JSON-LD articleBody', () => {
    const got = run('jsonld-only');
    expect(got.bodySource).toBe('json-ld');
    expect(got.text.split('\n')).toHaveLength(5);
    expect(got.text).not.toContain('enable JavaScript');
    expect(got.byline).toBe('Maria Okafor, Tom Lindqvist');
    expect(got.publishedAt).toBe('2024-05-02T20:05:00.000Z');
  });

  it('comments-longer-than-article: keeps the four article paragraphs, drops comments and related posts', () => {
    const got = run('comments-longer-than-article');
    const html = readFileSync(join(PAGES, 'comments-longer-than-article', 'source.html'), 'utf8');
    const $ = cheerio.load(html);
    const comments = $('#comments').text().replace(/\s+/g, ' ').length;
    expect(comments).toBeGreaterThan(got.text.length); // the premise of the case
    expect(got.text.split('\n')).toEqual(
      $('.entry-content > p')
        .map((_, p) => $(p).text())
        .get(),
    );
  });

  it('comments-longer-than-article: the same four paragraphs without any class or id attribute', () => {
    const html = readFileSync(join(PAGES, 'comments-longer-than-article', 'source.html'), 'utf8');
    expect(run('comments-longer-than-article', html.replace(/\s(class|id)="[^"]*"/g, '')).text).toBe(
      run('comments-longer-than-article').text,
    );
  });

  it('no-article-section-front: a section front has no article text (not its teasers or navigation)', () => {
    const got = run('no-article-section-front');
    expect(got.text).toBe('');
    expect(got.html).toBe('');
    expect(got.bodySource).toBe('none');
    expect(got.wordCount).toBe(0);
  });

  it('site-rule-inline-promos: the rule drops what the generic algorithm keeps', () => {
    const html = readFileSync(join(PAGES, 'site-rule-inline-promos', 'source.html'), 'utf8');
    const url = urlFor('site-rule-inline-promos');
    const withRule = extractArticle(html, url).text;
    const generic = extractArticle(html, url, { rules: {} }).text;
    expect(generic).toContain('Ledger rent tracker');
    expect(withRule).not.toContain('Ledger rent tracker');
    expect(withRule).not.toContain('From looms to lofts');
    expect(withRule.split('\n')).toHaveLength(5);
  });
});
