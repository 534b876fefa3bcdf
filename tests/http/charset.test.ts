import iconv from 'iconv-lite';
import { decodeBody, normalizeCharset } from '../../src/http/charset';
import { charsetFromContentType, metaCharset, xmlPrologCharset } from '../../src/http/charset';

const ARABIC = 'أعلنت وزارة الدفاع عن صفقة جديدة';

describe('decodeBody (WHATWG order: BOM, Content-Type, document, default)', () => {
  it('reads windows-1256 and ISO-8859-6 from the XML prolog alone', () => {
    for (const charset of ['windows-1256', 'iso-8859-6']) {
      const body = iconv.encode(`<?xml version="1.0" encoding="${charset}"?><rss><title>${ARABIC}</title></rss>`, charset);
      const decoded = decodeBody(body, 'application/rss+xml', 'feed');
      expect([decoded.charset, decoded.source]).toEqual([charset, 'xml-prolog']);
      expect(decoded.text).toContain(ARABIC);
      expect(decoded.text).not.toContain('\uFFFD');
    }
  });

  it('reads a page charset from <meta charset> and from http-equiv', () => {
    const meta = iconv.encode(
      `<!doctype html><html><head><meta charset="windows-1256"><title>${ARABIC}</title></head></html>`,
      'windows-1256',
    );
    expect(decodeBody(meta, 'text/html', 'page').text).toContain(ARABIC);
    const equiv = iconv.encode(
      `<html><head><meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-6"></head><body>${ARABIC}</body></html>`,
      'iso-8859-6',
    );
    const decoded = decodeBody(equiv, 'text/html', 'page');
    expect([decoded.charset, decoded.source]).toEqual(['iso-8859-6', 'meta']);
    expect(decoded.text).toContain(ARABIC);
  });

  it('maps windows-1252 0x80–0x9F to quotes and dashes, and ISO-8859-1 labels to windows-1252', () => {
    const body = Buffer.from([0x93, 0x48, 0x69, 0x94, 0x20, 0x96, 0x20, 0x80, 0x20, 0x85]);
    expect(decodeBody(body, 'text/plain; charset=windows-1252', 'page').text).toBe('\u201cHi\u201d \u2013 \u20ac \u2026');
    expect(decodeBody(body, 'text/plain; charset="ISO-8859-1"', 'page').text).toBe('\u201cHi\u201d \u2013 \u20ac \u2026');
  });

  it('lets a BOM win over Content-Type, and Content-Type over the document', () => {
    const bom = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from('<?xml version="1.0" encoding="windows-1256"?><a>é</a>'),
    ]);
    const decoded = decodeBody(bom, 'text/xml; charset=iso-8859-6', 'feed');
    expect([decoded.charset, decoded.text]).toEqual(['utf-8', '<?xml version="1.0" encoding="windows-1256"?><a>é</a>']);
    const header = iconv.encode(`<?xml version="1.0" encoding="iso-8859-6"?><a>${ARABIC}</a>`, 'windows-1256');
    expect(decodeBody(header, 'text/xml; charset=windows-1256', 'feed').text).toContain(ARABIC);
    const utf16 = iconv.encode('\ufeff<a>é</a>', 'utf-16le');
    expect(decodeBody(utf16, undefined, 'feed').text).toBe('<a>é</a>');
  });

  it('defaults to UTF-8 when valid, else windows-1252', () => {
    expect(decodeBody(Buffer.from('<a>é ✓</a>'), undefined, 'feed').text).toBe('<a>é ✓</a>');
    expect(decodeBody(Buffer.from([0x3c, 0x61, 0x3e, 0xe9, 0x3c]), undefined, 'feed')).toMatchObject({
      text: '<a>é<',
      charset: 'windows-1252',
    });
  });

  it('ignores unknown labels and a UTF-16 declaration in an ASCII-readable document', () => {
    expect(decodeBody(Buffer.from('<a>é</a>'), 'text/xml; charset=x-bogus', 'feed').text).toBe('<a>é</a>');
    expect(decodeBody(Buffer.from('<?xml version="1.0" encoding="UTF-16"?><a>é</a>'), undefined, 'feed').charset).toBe('utf-8');
  });
});

describe('decodeBody: undeclared legacy encodings', () => {
  const JAPANESE = '東京都は今日、新しい防災計画を発表しました。地震や台風に備えて、避難所の数を増やします。';
  it('detects an undeclared CJK encoding, and lets any declaration win over detection', () => {
    const body = iconv.encode(`<rss><title>${JAPANESE}</title></rss>`, 'euc-jp');
    expect(decodeBody(body, undefined, 'feed')).toMatchObject({
      text: `<rss><title>${JAPANESE}</title></rss>`,
      source: 'detected',
    });
    expect(decodeBody(body, 'application/rss+xml; charset=windows-1252', 'feed').charset).toBe('windows-1252');
  });

  it('keeps windows-1252 for short Latin text with a few accents (no wild guesses)', () => {
    for (const title of ['naïve résumé', '© 2004 Example', 'München Straße', 'Été à Paris', 'Grüße']) {
      const body = iconv.encode(`<title>${title}</title>`, 'windows-1252');
      expect(decodeBody(body, undefined, 'feed')).toMatchObject({ text: `<title>${title}</title>`, charset: 'windows-1252' });
    }
  });
});

describe('normalizeCharset (WHATWG labels)', () => {
  it.each([
    ['utf-8', 'utf-8'],
    [' UTF8 ', 'utf-8'],
    ['"utf-8"', 'utf-8'],
    ['"utf-8', 'utf-8'],
    ["utf-8'", 'utf-8'],
    ["'koi8-r'", 'koi8-r'],
    ['latin1', 'windows-1252'],
    ['us-ascii', 'windows-1252'],
    ['gb2312', 'gbk'],
    ['sjis', 'shift_jis'],
    ['iso-8859-8', 'iso-8859-8'],
  ])('%s → %s', (label, expected) => {
    expect(normalizeCharset(label)).toBe(expected);
  });

  it.each([undefined, '', '  ', '""', 'x-bogus', 'x-user-defined', 'iso-2022-kr', 'utf"-8', "wind'ows-1252"])(
    '%p names no encoding it decodes',
    (label) => {
      expect(normalizeCharset(label)).toBeUndefined();
    },
  );
});

describe('charsetFromContentType', () => {
  it.each([
    ['text/html; charset=UTF-8', 'UTF-8'],
    ['text/html;charset=koi8-r', 'koi8-r'],
    ['text/html; CHARSET = "windows-1251"', 'windows-1251'],
    ['text/xml; charset=utf-8; format=flowed', 'utf-8'],
    ['text/xml; charset="iso-8859-6"; x=1', 'iso-8859-6'],
  ])('%s → %s', (contentType, expected) => {
    expect(charsetFromContentType(contentType)).toBe(expected);
  });

  it.each([undefined, 'text/html', 'text/html; charset=', 'text/html; xcharset="a'])('%p names none', (contentType) => {
    expect(charsetFromContentType(contentType)).toBeUndefined();
  });
});

describe('xmlPrologCharset', () => {
  it.each([
    ['<?xml version="1.0" encoding="windows-1256"?><rss/>', 'windows-1256'],
    ["\n  <?xml version='1.0' encoding = 'ISO-8859-6' standalone='yes'?>", 'ISO-8859-6'],
    ['<?xml version="1.0"?><rss encoding="koi8-r"/>', undefined],
    ['<rss/><?xml version="1.0" encoding="koi8-r"?>', undefined],
    ['<?xml version="1.0" encoding=koi8-r?>', undefined],
    [`${' '.repeat(600)}<?xml version="1.0" encoding="koi8-r"?>`, undefined],
  ])('%s → %s', (head, expected) => {
    expect(xmlPrologCharset(Buffer.from(head))).toBe(expected);
  });
});

describe('metaCharset', () => {
  it.each([
    ['<meta charset="koi8-r">', 'koi8-r'],
    ['<META CHARSET=KOI8-R>', 'KOI8-R'],
    ["<meta charset=' windows-1251'>", 'windows-1251'],
    ['<meta name="viewport" content="width=device-width"><meta charset="koi8-r">', 'koi8-r'],
    ['<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-6">', 'iso-8859-6'],
    ['<meta content="text/html; charset=iso-8859-6" http-equiv=content-type>', 'iso-8859-6'],
    ['<meta http-equiv="refresh" content="5; charset=koi8-r">', undefined],
    ['<meta http-equiv="Content-Type" content="text/html">', undefined],
    ['<metadata charset="koi8-r">', undefined],
    [`<html>${'x'.repeat(5000)}<meta charset="koi8-r">`, undefined],
    ['<meta charset = "koi8-r">', 'koi8-r'],
    ['<meta charset=koi8-r/>', 'koi8-r/'],
    ['<meta charset="koi8-r" />', 'koi8-r'],
    ['<meta charset="koi8-r" charset="windows-1251">', 'koi8-r'],
    ['<meta charset=""><meta charset="koi8-r">', 'koi8-r'],
    ['<meta charset charset="koi8-r">', undefined],
    ['<meta http-equiv="Content-Type"><meta charset="koi8-r">', 'koi8-r'],
    ["<meta http-equiv = 'content-type' content = 'text/html;charset = koi8-r'>", 'koi8-r'],
    ['<META HTTP-EQUIV="CONTENT-TYPE" CONTENT="TEXT/HTML; CHARSET=KOI8-R">', 'KOI8-R'],
    ['<meta http-equiv="Content-Type" content=\'text/html; charset="koi8-r"\'>', 'koi8-r'],
    ['<meta http-equiv="Content-Type" content="text/html"><meta charset="koi8-r">', 'koi8-r'],
    ['<meta http-equiv="Content-Type" charset="koi8-r">', 'koi8-r'],
    ['<meta name="description" content="How to set charset=koi8-r">', undefined],
    ['<meta data-charset="koi8-r">', undefined],
    ['<meta http-equiv="Content-Type-Options" content="charset=koi8-r">', undefined],
    ['<meta http-equiv="Content-Type" content="text/html" data-x="charset=koi8-r">', undefined],
  ])('%s → %s', (html, expected) => {
    expect(metaCharset(Buffer.from(html))).toBe(expected);
  });
});

describe('decodeBody: where the charset came from', () => {
  const both = iconv.encode(
    `<?xml version="1.0" encoding="windows-1256"?><html><head><meta charset="iso-8859-6"></head><p>${ARABIC}</p></html>`,
    'windows-1256',
  );

  it('a feed reads its XML prolog before a <meta>, a page its <meta> before the prolog', () => {
    expect(decodeBody(both, undefined, 'feed')).toMatchObject({ charset: 'windows-1256', source: 'xml-prolog' });
    expect(decodeBody(both, undefined, 'page')).toMatchObject({ charset: 'iso-8859-6', source: 'meta' });
  });

  it('falls back to the other kind of declaration', () => {
    const metaOnly = iconv.encode(`<html><meta charset="windows-1256"><p>${ARABIC}</p></html>`, 'windows-1256');
    expect(decodeBody(metaOnly, undefined, 'feed')).toMatchObject({ charset: 'windows-1256', source: 'meta' });
    const prologOnly = iconv.encode(`<?xml version="1.0" encoding="windows-1256"?><p>${ARABIC}</p>`, 'windows-1256');
    expect(decodeBody(prologOnly, undefined, 'page')).toMatchObject({ charset: 'windows-1256', source: 'xml-prolog' });
  });

  it('skips an unknown declaration for the next one', () => {
    const body = iconv.encode(
      `<?xml version="1.0" encoding="x-bogus"?><meta charset="windows-1256"><p>${ARABIC}</p>`,
      'windows-1256',
    );
    expect(decodeBody(body, 'text/xml; charset=nonsense', 'feed')).toMatchObject({ charset: 'windows-1256', source: 'meta' });
  });

  it.each([
    [[0xef, 0xbb, 0xbf], 'utf-8'],
    [[0xff, 0xfe], 'utf-16le'],
    [[0xfe, 0xff], 'utf-16be'],
  ])('names a BOM %p alone as the source', (bom, charset) => {
    expect(decodeBody(Buffer.from(bom), 'text/xml; charset=windows-1256', 'feed')).toEqual({ text: '', charset, source: 'bom' });
  });

  it('decodes UTF-16 big-endian after its BOM', () => {
    const body = Buffer.concat([Buffer.from([0xfe, 0xff]), iconv.encode('<a>é</a>', 'utf-16be')]);
    expect(decodeBody(body, undefined, 'feed')).toEqual({ text: '<a>é</a>', charset: 'utf-16be', source: 'bom' });
  });

  it('names the Content-Type as the source', () => {
    expect(decodeBody(Buffer.from([0xe9]), 'text/plain; charset=iso-8859-1', 'page')).toEqual({
      text: 'é',
      charset: 'windows-1252',
      source: 'content-type',
    });
  });

  it('reads a <meta> UTF-16 declaration as UTF-8', () => {
    expect(decodeBody(Buffer.from('<meta charset="utf-16be"><p>é</p>'), undefined, 'page')).toEqual({
      text: '<meta charset="utf-16be"><p>é</p>',
      charset: 'utf-8',
      source: 'meta',
    });
  });

  it('names valid UTF-8 and windows-1252 as defaults', () => {
    expect(decodeBody(Buffer.from('<a>é</a>'), undefined, 'feed')).toEqual({
      text: '<a>é</a>',
      charset: 'utf-8',
      source: 'default',
    });
    expect(decodeBody(Buffer.from([0x3c, 0x61, 0x3e, 0xe9]), undefined, 'feed')).toEqual({
      text: '<a>é',
      charset: 'windows-1252',
      source: 'default',
    });
  });
});

describe('decodeBody: only a whole byte-order mark counts', () => {
  const marks = [
    [0xef, 0xbb, 0xbf],
    [0xff, 0xfe],
    [0xfe, 0xff],
  ];
  // Each mark with one byte changed to "A", and each mark cut short by its last byte.
  const nearMisses = marks.flatMap((mark) => [
    ...mark.map((_, i) => mark.map((byte, j) => (i === j ? 0x41 : byte))),
    mark.slice(0, -1),
  ]);

  it.each(nearMisses.map((bytes) => [bytes]))('%p is read with the Content-Type charset', (bytes) => {
    const body = Buffer.from([...bytes, 0x41]);
    expect(decodeBody(body, 'text/plain; charset=windows-1252', 'page')).toEqual({
      text: iconv.decode(body, 'windows-1252'),
      charset: 'windows-1252',
      source: 'content-type',
    });
  });
});

describe('decodeBody: what the detector names', () => {
  const KOREAN =
    '대한민국 정부는 오늘 새로운 경제 정책을 발표했습니다. 전문가들은 이 정책이 경제에 긍정적인 영향을 미칠 것이라고 말했습니다.';
  const ARABIC_NEWS = 'أعلنت وزارة الدفاع عن صفقة جديدة مع شركة محلية لتطوير الصناعات العسكرية';

  it("uses the detector's own name when it has no WHATWG name (EUC-KR read as its superset CP949)", () => {
    const body = iconv.encode(`<p>${KOREAN}</p>`, 'euc-kr');
    expect(decodeBody(body, undefined, 'page')).toEqual({ text: `<p>${KOREAN}</p>`, charset: 'cp949', source: 'detected' });
  });

  it('keeps a UTF-8 body cut in the middle of a character as UTF-8', () => {
    const whole = Buffer.from(`<p>${ARABIC_NEWS}</p>`);
    const cut = whole.subarray(0, whole.length - '</p>'.length - 1);
    expect(decodeBody(cut, undefined, 'page')).toEqual({
      text: `<p>${ARABIC_NEWS.slice(0, -1)}\uFFFD`,
      charset: 'utf-8',
      source: 'detected',
    });
  });

  it('falls back to windows-1252 when the detector names an encoding iconv-lite cannot decode (EBCDIC)', () => {
    // "The government announced a new policy today, and experts agree." in EBCDIC code page 500,
    // which jschardet recognizes and iconv-lite does not decode.
    const letters = 'abcdefghijklmnopqrstuvwxyz';
    const ebcdic = (char: string): number => {
      const i = letters.indexOf(char.toLowerCase());
      if (i < 0) return { ' ': 0x40, '.': 0x4b, ',': 0x6b }[char] ?? 0x40;
      const lower = i < 9 ? 0x81 + i : i < 18 ? 0x91 + i - 9 : 0xa2 + i - 18;
      return char === letters[i] ? lower : lower + 0x40;
    };
    const text = 'The government announced a new economic policy today. Experts say it will help, and companies agree.';
    const body = Buffer.from([...text].map(ebcdic));
    expect(decodeBody(body, undefined, 'feed')).toEqual({
      text: iconv.decode(body, 'windows-1252'),
      charset: 'windows-1252',
      source: 'default',
    });
  });
});
