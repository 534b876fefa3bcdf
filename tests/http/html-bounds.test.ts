import * as cheerio from 'cheerio';
import { boundHtml } from '../../src/http';

describe('boundHtml', () => {
  it('leaves ordinary pages untouched', () => {
    const html =
      '<!doctype html><html><head><script>if (a<b) x()</script></head><body><p>One<p>Two<ul><li>a<li>b</ul><br><img src=x></body></html>';
    expect(boundHtml(html)).toBe(html);
  });

  // Not timed (speed is for benchmarks, never unit tests): these check the shape that keeps it fast.
  it('flattens nesting beyond the limit, so cheerio never builds 100,000 levels', () => {
    const depth = 100_000;
    const html = `<html><body>${'<div>'.repeat(depth)}deep text${'</div>'.repeat(depth)}<p>after</p></body></html>`;
    const bounded = boundHtml(html, { maxDepth: 200 });
    const $ = cheerio.load(bounded);
    expect($('div').length).toBeLessThanOrEqual(200);
    expect($('body').text()).toContain('deep text');
    expect($('p').text()).toBe('after');
  });

  it('passes many unmatched "<" through as they are (one scan, no backtracking over them)', () => {
    const html = '<p>' + '<a '.repeat(200_000);
    expect(boundHtml(html)).toBe(html);
  });

  it('cuts pages over maxChars', () => {
    expect(boundHtml('x'.repeat(100), { maxChars: 10 })).toBe('x'.repeat(10));
  });
});
