/**
 * The endpoint's answers as small HTML pages in the digest's look (or JSON when asked). The one
 * stylesheet is inline and allowed by its hash, so the page needs no other origin and no script.
 */
import { createHash } from 'node:crypto';
import { chromeFor } from '../i18n';
import { markup, SafeHtml } from '../render/html';

export interface EndpointResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface PageContent {
  status: number;
  /** Machine-readable outcome for JSON clients ("confirmation-sent", "invalid-address", …). */
  code: string;
  heading: string;
  message: string;
  ok: boolean;
  /** A form with one button posting back to the endpoint (the unsubscribe confirmation). */
  form?: { action: string; button: string; fields?: Record<string, string>; inputs?: SafeHtml };
  retryAfterSeconds?: number;
}

export interface PageContext {
  title: string;
  /** The chrome's language (config digest.lang): the page's `lang` and `dir`. */
  lang: string;
  siteUrl: string;
  json: boolean;
}

const STYLE = `:root{color-scheme:light dark;--bg:#eef0f3;--card:#fff;--fg:#1d2329;--muted:#5b6670;--link:#0b57d0;--accent:#0b57d0}
@media (prefers-color-scheme:dark){:root{--bg:#121417;--card:#1c2026;--fg:#e6e9ed;--muted:#a4adb7;--link:#8ab4f8;--accent:#3d7be0}}
*{box-sizing:border-box}body{margin:0;background:var(--bg);color:var(--fg);font:16px/1.5 -apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,"Noto Sans",Arial,sans-serif}
main{max-width:34rem;margin:12vh auto 2rem;padding:2rem;background:var(--card);border-radius:10px}
h1{margin:0 0 .75rem;font-size:1.5rem;line-height:1.25}p,form{margin:0 0 1rem}.muted{color:var(--muted);font-size:.9rem}a{color:var(--link)}
button{font:inherit;font-weight:600;color:#fff;background:var(--accent);border:0;border-radius:6px;padding:.7rem 1.4rem;cursor:pointer}
button:focus-visible,a:focus-visible{outline:3px solid var(--link);outline-offset:2px}
fieldset{border:1px solid var(--muted);border-radius:6px;margin:0 0 1rem;padding:.5rem 1rem}label{display:block;margin:.35rem 0}
select,input[type=number]{font:inherit;margin:0 0 1rem;padding:.3rem}`;

const STYLE_HASH = createHash('sha256').update(STYLE).digest('base64');

export const PAGE_SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': `default-src 'none'; style-src 'sha256-${STYLE_HASH}'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`,
  'x-content-type-options': 'nosniff',
  // Tokens travel in URLs: never leak them to the next site in a Referer.
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
  'x-robots-tag': 'noindex',
};

export function renderResponse(content: PageContent, ctx: PageContext): EndpointResponse {
  const headers: Record<string, string> = { ...PAGE_SECURITY_HEADERS };
  if (content.retryAfterSeconds) headers['retry-after'] = String(content.retryAfterSeconds);
  if (ctx.json) {
    headers['content-type'] = 'application/json; charset=utf-8';
    return {
      status: content.status,
      headers,
      body: JSON.stringify({ ok: content.ok, code: content.code, message: content.message }) + '\n',
    };
  }
  headers['content-type'] = 'text/html; charset=utf-8';
  const t = chromeFor(ctx.lang);
  const form = content.form
    ? markup`<form method="post" action="${content.form.action}">${Object.entries(content.form.fields ?? {}).map(
        ([k, v]) => markup`<input type="hidden" name="${k}" value="${v}">`,
      )}${content.form.inputs ?? ''}<button type="submit">${content.form.button}</button></form>`
    : '';
  const body = markup`<!doctype html>
<html lang="${t.lang}" dir="${t.dir}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>${content.heading} · ${ctx.title}</title>
<style>${new SafeHtml(STYLE)}</style></head>
<body><main>
<h1>${content.heading}</h1>
<p${content.ok ? '' : markup` role="alert"`}>${content.message}</p>
${form}
<p class="muted"><a href="${ctx.siteUrl}">${ctx.title}</a></p>
</main></body></html>
`.value;
  return { status: content.status, headers, body };
}
