import { cleanLine, cleanText, escapeHtml, markup, safeHttpUrl, SafeHtml } from '../../src/render';
import { primaryLang, safeDir, safeLang } from '../../src/render/html';

describe('escaping', () => {
  it('escapes every HTML-significant character for text and quoted attributes', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&amp;</a>`)).toBe(
      '&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;',
    );
  });

  it('escapes every interpolation of the markup template unless it is SafeHtml', () => {
    const evil = '<script>alert(1)</script>';
    const out = markup`<p title="${evil}">${evil}${markup`<b>${evil}</b>`}${[evil, markup`<i>ok</i>`]}${undefined}${null}${false}${3}${true}</p>`;
    expect(out).toBeInstanceOf(SafeHtml);
    expect(out.value).toBe(
      '<p title="&lt;script&gt;alert(1)&lt;/script&gt;">&lt;script&gt;alert(1)&lt;/script&gt;<b>&lt;script&gt;alert(1)&lt;/script&gt;</b>&lt;script&gt;alert(1)&lt;/script&gt;<i>ok</i>3true</p>',
    );
    // SafeHtml in a plain template literal is its markup.
    expect(`${markup`<b>${evil}</b>`}`).toBe('<b>&lt;script&gt;alert(1)&lt;/script&gt;</b>');
    expect(markup`just text`.value).toBe('just text');
  });

  it('turns a missing value into no text', () => {
    expect(cleanText(undefined)).toBe('');
    expect(cleanText(null)).toBe('');
    expect(escapeHtml(null)).toBe('');
  });

  it('removes bidi embeddings, overrides and isolates, controls and lone surrogates', () => {
    expect(cleanText('Invoice \u202Egpj.exe\u202C \u2066x\u2069')).toBe('Invoice gpj.exe x');
    expect(cleanText('a\u0000b\u0007c\u009Fd\tok\n')).toBe('abcd\tok\n');
    expect(cleanText('x\uD800y\uDFFFz')).toBe('xyz');
    expect(cleanText('emoji 😀 and RLM \u200F kept')).toBe('emoji 😀 and RLM \u200F kept');
    expect(cleanLine('  two\n\nlines\t ')).toBe('two lines');
  });
});

describe('safeHttpUrl', () => {
  it.each([
    ['https://example.com/a?b=1#c', 'https://example.com/a?b=1#c'],
    ['http://example.com', 'http://example.com/'],
    ['HTTPS://EXAMPLE.com/x', 'https://example.com/x'],
    ['https://example.com/q?x="><script>', 'https://example.com/q?x=%22%3E%3Cscript%3E'],
    // Whitespace around a URL (as feeds often have it) is not part of it.
    ['  https://example.com/a \n', 'https://example.com/a'],
  ])('links %j', (raw, expected) => {
    expect(safeHttpUrl(raw)).toBe(expected);
  });

  it.each([
    'javascript:alert(1)',
    'JaVaScRiPt:alert(1)',
    'java\tscript:alert(1)',
    ' javascript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'vbscript:msgbox(1)',
    'file:///etc/passwd',
    '//evil.example/x',
    '/relative/path',
    'relative',
    'https://user:pass@example.com/',
    'https://user@example.com/',
    'https://:pass@example.com/',
    // Not http(s), though with a host.
    'ftp://example.com/file',
    'ws://example.com/socket',
    // Controls the URL parser would silently drop, turning these into valid links.
    'https://exa\tmple.com/',
    'https://exa\nmple.com/',
    'https://exa mple.com/',
    'https://\u202Eexample.com/',
    '',
  ])('refuses %j', (raw) => {
    expect(safeHttpUrl(raw)).toBeUndefined();
  });

  it('refuses non-strings', () => {
    expect(safeHttpUrl(undefined)).toBeUndefined();
    expect(safeHttpUrl({ toString: () => 'https://example.com' })).toBeUndefined();
  });
});

describe('lang and dir attribute values', () => {
  it.each([
    ['en', 'en'],
    ['pt-BR', 'pt-BR'],
    ['zh-Hant-TW', 'zh-Hant-TW'],
    ['ar', 'ar'],
  ])('keeps the BCP 47 tag %j', (tag, want) => {
    expect(safeLang(tag)).toBe(want);
  });

  it.each([
    ['e'],
    ['toolongtag'],
    ['en-toolongsub'],
    ['en_US'],
    ['en-'],
    ['-en'],
    ['en" onload="x'],
    ['en-US x'],
    [''],
    [42],
    [undefined],
    // Not strings, though they print as a tag.
    [['en']],
    [{ toString: () => 'en' }],
  ])('refuses %j as "und"', (tag) => {
    expect(safeLang(tag)).toBe('und');
  });

  it('lets only ltr and rtl through as a direction, everything else is auto', () => {
    expect(safeDir('ltr')).toBe('ltr');
    expect(safeDir('rtl')).toBe('rtl');
    for (const dir of ['auto', 'RTL', 'rtl ', '', 'x" onclick="y', undefined, 1]) expect(safeDir(dir)).toBe('auto');
  });

  it('takes the primary language subtag in lower case', () => {
    expect(primaryLang('pt-BR')).toBe('pt');
    expect(primaryLang('AR')).toBe('ar');
    expect(primaryLang('zh-Hant-TW')).toBe('zh');
  });
});
