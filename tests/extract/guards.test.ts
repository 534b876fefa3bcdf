/**
 * Hostile and broken input: extraction must stay bounded in depth, size and time by itself, whatever the fetcher
 * let through. Generous time limits: these catch super-linear behaviour (seconds), not small slowdowns.
 */
import { extractArticle, MAX_DEPTH, MAX_HTML_CHARS } from '../../src/extract';
import { prepareHtml } from '../../src/extract/guards';

const URL = 'https://fixtures.example/guards/';
const PARAGRAPH =
  'The committee met on Tuesday to review the proposal, and after a long debate its members agreed to send it back for another round of public comment before any vote.';

/** Distinct paragraphs (identical ones are removed as repeats). */
const paragraphs = (n: number, tag = 'p'): string =>
  Array.from({ length: n }, (_, i) => `<${tag}>${PARAGRAPH} (${i + 1})</${tag}>`).join('\n');

function article(body: string): string {
  return `<!DOCTYPE html><html lang="en"><head><title>t</title></head><body><nav><a href="/">Home</a></nav><article>${body}</article></body></html>`;
}

function timed<T>(fn: () => T): { value: T; ms: number } {
  const t0 = performance.now();
  const value = fn();
  return { value, ms: performance.now() - t0 };
}

describe('extraction guards', () => {
  it('survives 5,000 levels of nesting around the article without blowing the stack', () => {
    const depth = 5_000;
    const html = article(
      '<div>'.repeat(depth) +
        paragraphs(3) +
        '</div>'.repeat(depth) +
        `<p>${PARAGRAPH} Outer.</p><p>${PARAGRAPH} Outer again.</p>`,
    );
    const { value, ms } = timed(() => extractArticle(html, URL));
    expect(ms).toBeLessThan(3_000);
    // Text nested deeper than MAX_DEPTH is dropped; the shallow paragraphs remain.
    expect(depth).toBeGreaterThan(MAX_DEPTH);
    expect(value.text).toContain('Outer.');
  });

  it('survives 200,000 unclosed nested elements', () => {
    const html = article(paragraphs(2) + '<span><b>'.repeat(100_000) + PARAGRAPH);
    const { value, ms } = timed(() => extractArticle(html, URL));
    expect(ms).toBeLessThan(5_000);
    expect(value.text).toContain('(2)');
  });

  it('keeps nesting within MAX_DEPTH when the text sits just above it', () => {
    const html = article('<div>'.repeat(MAX_DEPTH - 10) + paragraphs(2) + '</div>'.repeat(MAX_DEPTH - 10));
    expect(extractArticle(html, URL).text.split('\n')).toHaveLength(2);
  });

  it('handles a 5 MB page quickly and reports the truncation', () => {
    const html = article(paragraphs(Math.ceil((5 * 1024 * 1024) / PARAGRAPH.length)));
    expect(html.length).toBeGreaterThan(5 * 1024 * 1024);
    const { value, ms } = timed(() => extractArticle(html, URL));
    expect(ms).toBeLessThan(8_000);
    expect(value.truncated).toBe(true);
    expect(value.text.length).toBeGreaterThan(100_000);
    expect(value.text.length).toBeLessThanOrEqual(MAX_HTML_CHARS);
  });

  it('handles a 5 MB page of scripts and comments without parsing them', () => {
    const noise = `<script>var x = "${'a'.repeat(1000)}";</script><!-- ${'c'.repeat(1000)} -->`;
    const html = article(paragraphs(3) + noise.repeat(2600));
    const { value, ms } = timed(() => extractArticle(html, URL));
    expect(ms).toBeLessThan(5_000);
    expect(value.text.split('\n')).toHaveLength(3);
    expect(value.truncated).toBe(false);
  });

  it('stays fast on thousands of look-alike blocks and links', () => {
    const html = article(
      Array.from({ length: 8_000 }, (_, i) => `<div class="chunk"><p>${PARAGRAPH} (<a href="/x/${i}">${i}</a>)</p></div>`).join(
        '',
      ),
    );
    const { value, ms } = timed(() => extractArticle(html, URL));
    expect(ms).toBeLessThan(5_000);
    expect(value.text.split('\n').length).toBeGreaterThan(1_000);
  });

  it('treats an unclosed script or comment as running to the end, like a browser', () => {
    expect(prepareHtml('<p>a</p><script>var x = 1; <p>b</p>').html).toBe('<p>a</p> ');
    expect(prepareHtml('<p>a</p><!-- <p>b</p>').html).toBe('<p>a</p> ');
    const many = '<p>x</p>' + '<script>'.repeat(50_000);
    const { ms } = timed(() => prepareHtml(many));
    expect(ms).toBeLessThan(2_000);
  });

  it('returns an empty article for empty, binary or non-HTML input', () => {
    for (const input of ['', '   ', '\u0000\u0001\u0002binary', 'just some words', '{"json": true}']) {
      const got = extractArticle(input, URL);
      expect(got.text).toBe('');
      expect(got.wordCount).toBe(0);
      expect(got.readingMinutes).toBe(0);
    }
  });
});
