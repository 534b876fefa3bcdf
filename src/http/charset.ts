/**
 * Bytes to text the way browsers do it (WHATWG Encoding): a byte-order mark wins, then the
 * Content-Type charset, then what the document declares (the XML prolog for feeds, <meta charset>
 * or http-equiv for pages), then UTF-8 when the bytes are valid UTF-8, else windows-1252.
 * Decoding is done by iconv-lite because Node's TextDecoder maps windows-1252 0x80–0x9F to C1
 * controls instead of quotes and dashes.
 */
import { isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';

/** WHATWG label aliases where the standard names a different encoding than the label says. */
const LABEL_ALIASES: Record<string, string> = {
  'unicode-1-1-utf-8': 'utf-8',
  utf8: 'utf-8',
  'us-ascii': 'windows-1252',
  ascii: 'windows-1252',
  'iso-8859-1': 'windows-1252',
  'iso8859-1': 'windows-1252',
  iso_8859_1: 'windows-1252',
  'iso_8859-1': 'windows-1252',
  latin1: 'windows-1252',
  l1: 'windows-1252',
  cp819: 'windows-1252',
  ibm819: 'windows-1252',
  'x-cp1252': 'windows-1252',
  'iso-8859-9': 'windows-1254',
  'iso8859-9': 'windows-1254',
  latin5: 'windows-1254',
  'iso-8859-11': 'windows-874',
  'tis-620': 'windows-874',
  gb2312: 'gbk',
  gb_2312: 'gbk',
  'gb_2312-80': 'gbk',
  chinese: 'gbk',
  'x-gbk': 'gbk',
  'iso-8859-8-i': 'iso-8859-8',
  'x-sjis': 'shift_jis',
  'windows-31j': 'shift_jis',
  ms932: 'shift_jis',
  'ks_c_5601-1987': 'euc-kr',
  korean: 'euc-kr',
  'asmo-708': 'iso-8859-6',
  'ecma-114': 'iso-8859-6',
  arabic: 'iso-8859-6',
  'x-mac-roman': 'macintosh',
  'x-user-defined': 'windows-1252',
};

/** The encoding iconv-lite should use for a charset label, or undefined when unknown. */
export function normalizeCharset(label: string | undefined): string | undefined {
  if (!label) return undefined;
  const key = label
    .trim()
    .replace(/^["']|["']$/g, '')
    .toLowerCase();
  if (!key) return undefined;
  const name = LABEL_ALIASES[key] ?? key;
  return iconv.encodingExists(name) ? name : undefined;
}

export function charsetFromContentType(contentType: string | undefined): string | undefined {
  const m = /;\s*charset\s*=\s*("?)([^";\s]+)\1/i.exec(contentType ?? '');
  return m?.[2];
}

function bomCharset(body: Buffer): string | undefined {
  if (body.length >= 3 && body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) return 'utf-8';
  if (body.length >= 2 && body[0] === 0xff && body[1] === 0xfe) return 'utf-16le';
  if (body.length >= 2 && body[0] === 0xfe && body[1] === 0xff) return 'utf-16be';
  return undefined;
}

/** The head of the document as Latin-1: every ASCII-compatible encoding reads the same there. */
const head = (body: Buffer, bytes: number): string => body.subarray(0, bytes).toString('latin1');

export function xmlPrologCharset(body: Buffer): string | undefined {
  const m = /^\s*<\?xml\s[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9._:-]{1,40})["']/.exec(head(body, 512));
  return m?.[1];
}

/** A <meta charset> or <meta http-equiv="Content-Type" content="...charset=..."> in the first 4 KiB. */
export function metaCharset(body: Buffer): string | undefined {
  const text = head(body, 4096);
  const metaRe = /<meta\s[^>]{0,500}>/gi;
  for (let m = metaRe.exec(text); m; m = metaRe.exec(text)) {
    const tag = m[0];
    const direct = /\bcharset\s*=\s*["']?\s*([A-Za-z0-9._:-]{1,40})/i.exec(tag);
    if (direct && /^<meta\s[^>]*?\bcharset\s*=/i.test(tag) && !/http-equiv/i.test(tag)) return direct[1];
    if (/http-equiv\s*=\s*["']?content-type/i.test(tag) && direct) return direct[1];
  }
  return undefined;
}

export interface DecodedBody {
  text: string;
  /** The encoding used. */
  charset: string;
  /** Where the charset came from. */
  source: 'bom' | 'content-type' | 'xml-prolog' | 'meta' | 'default';
}

export function decodeBody(body: Buffer, contentType: string | undefined, kind: 'feed' | 'page'): DecodedBody {
  const decode = (charset: string, source: DecodedBody['source']): DecodedBody => {
    const text = iconv.decode(body, charset, { stripBOM: true });
    return { text, charset, source };
  };
  const bom = bomCharset(body);
  if (bom) return decode(bom, 'bom');
  const fromHeader = normalizeCharset(charsetFromContentType(contentType));
  if (fromHeader) return decode(fromHeader, 'content-type');
  const sniffers: [DecodedBody['source'], (b: Buffer) => string | undefined][] =
    kind === 'feed'
      ? [
          ['xml-prolog', xmlPrologCharset],
          ['meta', metaCharset],
        ]
      : [
          ['meta', metaCharset],
          ['xml-prolog', xmlPrologCharset],
        ];
  for (const [source, sniff] of sniffers) {
    let declared = normalizeCharset(sniff(body));
    // A document we could read as ASCII cannot really be UTF-16 (WHATWG: treat as UTF-8).
    if (declared && /^utf-?16/.test(declared)) declared = 'utf-8';
    if (declared) return decode(declared, source);
  }
  return decode(isUtf8(body) ? 'utf-8' : 'windows-1252', 'default');
}
