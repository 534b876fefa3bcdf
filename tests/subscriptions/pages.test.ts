/** The endpoint's answers as pages and JSON: exact headers, body and markup. */
import { createHash } from 'node:crypto';
import * as cheerio from 'cheerio';
import { markup } from '../../src/render/html';
import { PAGE_SECURITY_HEADERS, renderResponse, type PageContent } from '../../src/subscriptions/pages';

const ctx = { title: 'Morning <Digest>', lang: 'en', siteUrl: 'https://digest.example.org', json: false };
const content = (extra: Partial<PageContent> = {}): PageContent => ({
  status: 400,
  code: 'invalid-link',
  heading: 'This link does not work',
  message: 'Try the link in your latest mail & again.',
  ok: false,
  ...extra,
});

describe('renderResponse', () => {
  it('sends the security headers on every answer, the stylesheet allowed by its hash', () => {
    const res = renderResponse(content(), ctx);
    const style = cheerio.load(res.body)('style').text();
    const hash = createHash('sha256').update(style).digest('base64');
    expect(res.headers).toEqual({
      'content-security-policy': `default-src 'none'; style-src 'sha256-${hash}'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
      'x-robots-tag': 'noindex',
      'content-type': 'text/html; charset=utf-8',
    });
    expect(renderResponse(content(), { ...ctx, json: true }).headers).toEqual({
      ...PAGE_SECURITY_HEADERS,
      'content-type': 'application/json; charset=utf-8',
    });
  });

  it('answers JSON with ok, code and message only, one line', () => {
    const res = renderResponse(content({ retryAfterSeconds: 90 }), { ...ctx, json: true });
    expect(res.status).toBe(400);
    expect(res.body).toBe('{"ok":false,"code":"invalid-link","message":"Try the link in your latest mail & again."}\n');
    expect(res.headers['retry-after']).toBe('90');
  });

  it('sends Retry-After only when there is a wait', () => {
    expect(renderResponse(content({ retryAfterSeconds: 600 }), ctx).headers['retry-after']).toBe('600');
    expect(renderResponse(content(), ctx).headers).not.toHaveProperty('retry-after');
    expect(renderResponse(content({ retryAfterSeconds: 0 }), ctx).headers).not.toHaveProperty('retry-after');
  });

  it('renders a page in the chrome language: title, heading, the message as an alert, a link home, all escaped', () => {
    const res = renderResponse(content(), ctx);
    expect(res.status).toBe(400);
    const $ = cheerio.load(res.body);
    expect(res.body.startsWith('<!doctype html>\n<html lang="en" dir="ltr">')).toBe(true);
    expect($('title').text()).toBe('This link does not work · Morning <Digest>');
    expect($('meta[name=robots]').attr('content')).toBe('noindex');
    expect($('h1').text()).toBe('This link does not work');
    expect($('main > p').first().attr('role')).toBe('alert');
    expect($('main > p').first().text()).toBe('Try the link in your latest mail & again.');
    expect(res.body).toContain('Morning &lt;Digest&gt;');
    expect($('p.muted a').attr('href')).toBe('https://digest.example.org');
    expect($('p.muted a').text()).toBe('Morning <Digest>');
    expect($('form')).toHaveLength(0);
    expect(
      cheerio
        .load(renderResponse(content(), { ...ctx, lang: 'ar' }).body)('html')
        .attr('dir'),
    ).toBe('rtl');
  });

  it('marks a good outcome as no alert, and renders its form with hidden fields, inputs and the button', () => {
    const res = renderResponse(
      content({
        status: 200,
        ok: true,
        form: {
          action: '?token=a.b',
          button: 'Unsubscribe',
          fields: { 'List-Unsubscribe': 'One-Click', note: '"quoted"' },
          inputs: markup`<input name="maxStories" value="5">`,
        },
      }),
      ctx,
    );
    const $ = cheerio.load(res.body);
    expect($('main > p').first().attr('role')).toBeUndefined();
    expect(res.body).toContain('<p>Try the link');
    expect($('form').attr('method')).toBe('post');
    expect($('form').attr('action')).toBe('?token=a.b');
    expect(
      $('form input[type=hidden]')
        .map((_, e) => [[$(e).attr('name'), $(e).attr('value')]])
        .get(),
    ).toEqual([
      ['List-Unsubscribe', 'One-Click'],
      ['note', '"quoted"'],
    ]);
    expect($('form input[name=maxStories]').val()).toBe('5');
    expect($('form button[type=submit]').text()).toBe('Unsubscribe');
    expect($('form').children().last().is('button')).toBe(true);
  });
});
