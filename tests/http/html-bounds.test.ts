import * as cheerio from 'cheerio';
import { boundHtml } from '../../src/http';

describe('boundHtml', () => {
  it('leaves ordinary pages untouched', () => {
    const html =
      '<!doctype html><html><head><script>if (a<b) x()</script></head><body><p>One<p>Two<ul><li>a<li>b</ul><br><img src=x></body></html>';
    expect(boundHtml(html)).toBe(html);
  });

  it('flattens nesting beyond the limit so cheerio loads 100,000 levels quickly', () => {
    const depth = 100_000;
    const html = `<html><body>${'<div>'.repeat(depth)}deep text${'</div>'.repeat(depth)}<p>after</p></body></html>`;
    const t0 = Date.now();
    const bounded = boundHtml(html, { maxDepth: 200 });
    const $ = cheerio.load(bounded);
    expect($('div').length).toBeLessThanOrEqual(200);
    expect($('body').text()).toContain('deep text');
    expect($('p').text()).toBe('after');
    expect(Date.now() - t0).toBeLessThan(3_000);
  });

  it('is linear on many unmatched "<"', () => {
    const html = '<p>' + '<a '.repeat(200_000);
    const t0 = Date.now();
    boundHtml(html);
    expect(Date.now() - t0).toBeLessThan(1_000);
  });

  it('cuts pages over maxChars', () => {
    expect(boundHtml('x'.repeat(100), { maxChars: 10 })).toBe('x'.repeat(10));
  });
});
