import iconv from 'iconv-lite';
import { decodeBody } from '../../src/http';

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
