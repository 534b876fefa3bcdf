/** Metadata sources, the sanitized HTML output, site-rule lookup, and small invariants of extractArticle. */
import { extractArticle, siteRuleFor, type SiteRule } from '../../src/extract';
import { countWords } from '../../src/extract';
import { cleanByline, isoDate, readJsonLd } from '../../src/extract/metadata';
import { classHint, Hint } from '../../src/extract/hints';
import * as cheerio from 'cheerio';

const URL = 'https://news.fixtures.example/2024/story';
const BODY = [
  'The harbour commission approved the new ferry schedule on Monday after three months of public hearings and a revised budget.',
  'Under the plan, boats will run every twenty minutes at peak hours, and the last departure will move from ten to eleven at night.',
  'Commissioners said the change would cost about two million a year, paid for by a small fare increase and a state grant.',
].map((p) => `<p>${p}</p>`);

const page = (head: string, body = BODY.join(''), htmlAttrs = 'lang="en"'): string =>
  `<!DOCTYPE html><html ${htmlAttrs}><head>${head}</head><body><article>${body}</article></body></html>`;

describe('JSON-LD', () => {
  it('finds the article in @graph, arrays and mainEntity, and prefers Article types over pages', () => {
    const ld = readJsonLd([
      JSON.stringify({
        '@context': 'https://schema.org',
        '@graph': [
          { '@type': 'WebPage', name: 'Page' },
          {
            '@type': ['NewsArticle'],
            headline: 'H',
            author: [{ name: 'A One' }, 'B Two'],
            datePublished: '2024-01-02T03:04:05Z',
            publisher: { name: 'Pub' },
            image: { url: 'https://img.example/a.jpg' },
          },
        ],
      }),
    ]);
    expect(ld).toMatchObject({
      headline: 'H',
      authors: ['A One', 'B Two'],
      publisherName: 'Pub',
      image: 'https://img.example/a.jpg',
      isArticle: true,
    });
    expect(
      readJsonLd([JSON.stringify([{ '@type': 'WebPage', mainEntity: { '@type': 'BlogPosting', headline: 'Post' } }])])?.headline,
    ).toBe('Post');
  });

  it('tolerates raw newlines inside strings and ignores unparseable blocks', () => {
    expect(readJsonLd(['{"@type":"Article","headline":"Two\nlines"}'])?.headline).toBe('Two lines');
    expect(readJsonLd(['{not json', '<!-- -->'])).toBeUndefined();
  });

  it('drops author URLs and keeps names', () => {
    expect(
      readJsonLd([JSON.stringify({ '@type': 'Article', author: ['https://site.example/staff/x', { name: 'Real Name' }] })])
        ?.authors,
    ).toEqual(['Real Name']);
  });
});

describe('page metadata', () => {
  it('reads OpenGraph, article times, canonical and resolves relative URLs', () => {
    const got = extractArticle(
      page(`<title>Fallback</title><meta property="og:title" content="OG title"><meta property="og:site_name" content="Harbour News">
        <meta property="og:image" content="/img/ferry.jpg"><meta property="article:published_time" content="2024-03-01T10:00:00+01:00">
        <meta property="article:modified_time" content="2024-03-02T10:00:00+01:00"><link rel="canonical" href="/2024/ferry">
        <meta name="author" content="By Jane Roe">`),
      URL,
    );
    expect(got).toMatchObject({
      title: 'OG title',
      siteName: 'Harbour News',
      leadImage: 'https://news.fixtures.example/img/ferry.jpg',
      canonicalUrl: 'https://news.fixtures.example/2024/ferry',
      publishedAt: '2024-03-01T09:00:00.000Z',
      modifiedAt: '2024-03-02T09:00:00.000Z',
      byline: 'Jane Roe',
      lang: 'en',
      dir: 'ltr',
      bodySource: 'dom',
    });
    expect(got.text.split('\n')).toHaveLength(3);
    expect(got.wordCount).toBe(countWords(got.text));
    expect(got.readingMinutes).toBe(1);
    expect(got.excerpt).toBe(BODY[0].replace(/<\/?p>/g, ''));
  });

  it('falls back to <time datetime> and the <h1> when the head says nothing', () => {
    const got = extractArticle(
      page('', `<h1>Ferry plan approved</h1><time datetime="2024-05-06">May 6</time>${BODY.join('')}`),
      URL,
    );
    expect(got.title).toBe('Ferry plan approved');
    expect(got.publishedAt).toBe('2024-05-06T00:00:00.000Z');
    expect(got.text).not.toContain('Ferry plan approved');
  });

  it('does not take javascript: or data: URLs for images and canonical links', () => {
    const got = extractArticle(
      page('<meta property="og:image" content="javascript:alert(1)"><link rel="canonical" href="data:text/html,x">'),
      URL,
    );
    expect(got.leadImage).toBeUndefined();
    expect(got.canonicalUrl).toBe(URL);
  });

  it('takes the direction from the language, and distrusts a declared language written the other way', () => {
    const arabic =
      '<p>قال مسؤول دفاع إسرائيلي كبير إن إسرائيل والرباط ستبدآن تعاونا عميقا في القضايا الأمنية، وتبادل المعلومات الاستخباراتية بحرية أكبر وإجراء تدريبات مشتركة.</p>'.repeat(
        2,
      ) +
      '<p>يزور وزير الدفاع الإسرائيلي بيني غانتس المغرب هذا الأسبوع بهدف تعزيز العلاقات الدفاعية بين البلدين، في عرض علني نادر للتعاون بين إسرائيل ودولة عربية.</p>';
    expect(extractArticle(page('', arabic, 'lang="ar"'), URL)).toMatchObject({ lang: 'ar', dir: 'rtl' });
    expect(extractArticle(page('', arabic, 'lang="en"'), URL)).toMatchObject({ lang: 'ar', dir: 'rtl' });
    expect(extractArticle(page('', BODY.join(''), 'lang="he"'), URL).dir).toBe('ltr');
  });

  it('normalizes dates and rejects implausible ones', () => {
    expect(isoDate('2021-11-25T09:12:00+02:00')).toBe('2021-11-25T07:12:00.000Z');
    expect(isoDate('not a date')).toBeUndefined();
    expect(isoDate('1970-01-01T00:00:00Z')).toBeUndefined();
  });

  it('cleans bylines', () => {
    expect(cleanByline('  By   Jane Roe ')).toBe('Jane Roe');
    expect(cleanByline('https://example.com/jane')).toBeUndefined();
  });
});

describe('sanitized HTML', () => {
  it('keeps paragraphs, headings, lists and quotes; only absolute http(s) links; escapes text', () => {
    const body = `${BODY[0]}<h3>Schedule &amp; fares</h3>${BODY[1]}
      <ul><li>First boat at 5:40 &lt;earlier than before&gt; on weekdays, and at seven on Sundays</li><li>Last boat at 23:00 every night of the week, holidays included</li></ul>
      <blockquote><p>“We listened to the riders,” said the chair of the commission after the vote.</p></blockquote>
      <p>Read the <a href="/docs/plan.pdf">full plan</a> or <a href="javascript:alert(1)">this</a> and <a href="mailto:x@y.z">write to us</a> — the commission publishes every document it votes on, with minutes.</p>
      <p onclick="alert(1)">The commission meets again in June <img src=x onerror=alert(1)> to review the first month of service.</p>`;
    const got = extractArticle(page('', body), URL);
    const $ = cheerio.load(got.html, null, false);
    expect($('h3').text()).toBe('Schedule & fares');
    expect($('ul > li')).toHaveLength(2);
    expect($('blockquote p').text()).toContain('We listened');
    expect(
      $('a')
        .map((_, a) => $(a).attr('href'))
        .get(),
    ).toEqual(['https://news.fixtures.example/docs/plan.pdf']);
    expect(got.html).not.toMatch(/onclick|onerror|javascript:|<img|<script/i);
    expect(got.html).toContain('&lt;earlier than before&gt;');
    const tags = new Set(
      $('*')
        .map((_, el) => (el as unknown as { name: string }).name)
        .get(),
    );
    for (const t of tags) expect(['p', 'h2', 'h3', 'h4', 'ul', 'ol', 'li', 'blockquote', 'pre', 'a']).toContain(t);
  });
});

describe('broken markup', () => {
  it('finds the article when an unclosed <header> swallows the page', () => {
    const html = `<html lang="en"><body><header><a href="/">Home</a><a href="/news">News</a>
      <div class="story">${BODY.join('')}</div></body></html>`;
    expect(extractArticle(html, URL).text.split('\n')).toHaveLength(3);
  });

  it('finds the article when the only wrapper has a misleading class', () => {
    const html = `<html lang="en"><body><div class="share-modal-enabled">${BODY.join('')}</div></body></html>`;
    expect(extractArticle(html, URL).text.split('\n')).toHaveLength(3);
  });
});

describe('preformatted text', () => {
  it('keeps line breaks and indentation of <pre> in the HTML, one line per text line', () => {
    const got = extractArticle(page('', `${BODY[0]}<pre>if (ready) {\n    start();\n}</pre>${BODY[1]}${BODY[2]}`), URL);
    expect(got.html).toContain('<pre>if (ready) {\n    start();\n}</pre>');
    expect(got.text.split('\n')).toContain('    start();');
  });
});

describe('site rules', () => {
  const rules: Record<string, SiteRule> = {
    'example.org': { drop: ['.a'], why: 'base domain' },
    'news.example.org': { drop: ['.b'], why: 'host' },
  };
  it('looks up the exact host, then parent domains, then nothing', () => {
    expect(siteRuleFor('https://news.example.org/x', rules)?.why).toBe('host');
    expect(siteRuleFor('https://www.example.org/x', rules)?.why).toBe('base domain');
    expect(siteRuleFor('https://a.b.example.org/x', rules)?.why).toBe('base domain');
    expect(siteRuleFor('https://example.com/x', rules)).toBeUndefined();
    expect(siteRuleFor('not a url', rules)).toBeUndefined();
  });
});

describe('class and id hints', () => {
  const el = (cls: string): Parameters<typeof classHint>[0] =>
    cheerio.load(`<div class="${cls}"></div>`)('div').get(0) as Parameters<typeof classHint>[0];
  it('reads whole words, camelCase and run-together stems, not substrings', () => {
    expect(classHint(el('article-body'))).toBe(Hint.Positive);
    expect(classHint(el('storyBody'))).toBe(Hint.Positive);
    expect(classHint(el('comments-area'))).toBe(Hint.Discussion);
    expect(classHint(el('jp-relatedposts'))).toBe(Hint.Discussion);
    expect(classHint(el('social-share-buttons'))).toBe(Hint.StrongNegative);
    expect(classHint(el('shareholders-letter'))).toBe(Hint.None);
    expect(classHint(el('headline-shadow'))).toBe(Hint.None);
    expect(classHint(el('entry-meta'))).toBe(Hint.Negative);
  });
});

describe('word count', () => {
  it('counts words, and CJK characters as half a word', () => {
    expect(countWords('one two  three\nfour')).toBe(4);
    expect(countWords('東京都は十五日')).toBe(4);
    expect(countWords('')).toBe(0);
  });
});
