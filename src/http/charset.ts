/**
 * Bytes to text the way browsers do it (WHATWG Encoding): a byte-order mark wins, then the
 * Content-Type charset, then what the document declares (the XML prolog for feeds, <meta charset>
 * or http-equiv for pages), then UTF-8 when the bytes are valid UTF-8, then the encoding a
 * statistical detector recognizes (a legacy EUC-JP, Shift_JIS, GBK, EUC-KR or KOI8-R feed that
 * declares nothing), else windows-1252. A declared encoding always wins over detection.
 * Decoding is done by iconv-lite because Node's TextDecoder maps windows-1252 0x80–0x9F to C1
 * controls instead of quotes and dashes.
 */
import { isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';
import type * as Jschardet from 'jschardet';
import { labelToName } from 'whatwg-encoding';

/**
 * The encoding iconv-lite should use for a charset label, or undefined when unknown. Labels are
 * read with the WHATWG Encoding Standard's table (whatwg-encoding, which cheerio's encoding
 * sniffer already uses), so "latin1" and "us-ascii" mean windows-1252 and "gb2312" means GBK, as
 * in browsers.
 */
export function normalizeCharset(label: string | undefined): string | undefined {
  const key = label?.trim().replace(/^["']|["']$/g, '');
  const name = key ? labelToName(key) : null;
  if (!name) return undefined;
  // whatwg-encoding names only what iconv-lite decodes, but x-user-defined.
  const encoding = name.toLowerCase();
  return iconv.encodingExists(encoding) ? encoding : undefined;
}

// jschardet (1.1 MB of frequency tables) is loaded the first time a body declares no encoding and
// is not UTF-8: most feeds and pages never need it, and in a Lambda it ships beside the bundle.
let detector: typeof Jschardet | undefined;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const loadDetector = (): typeof Jschardet => (detector ??= require('jschardet') as typeof Jschardet);

/**
 * The encoding a statistical detector (jschardet) reads in bytes that declare none and are not
 * UTF-8: its WHATWG name where it has one (ISO-8859-1 decodes as windows-1252, as in browsers; a
 * UTF-8 body cut mid-character by a dropped connection stays UTF-8), else jschardet's own name when
 * iconv-lite decodes it (the Windows supersets CP932 and CP949, which are what the WHATWG
 * Shift_JIS and EUC-KR decoders implement).
 */
function detectedCharset(body: Buffer): string | undefined {
  const { encoding, confidence } = loadDetector().detect(body.subarray(0, DETECTION_BYTES));
  // A few accented letters in a short Latin text get wild, low-confidence guesses (MacTurkish,
  // cp720…): below the floor, windows-1252 is the better bet.
  // Stryker disable next-line EqualityOperator: a computed confidence of exactly 0.2 is no case of its own
  if (!encoding || confidence < MIN_DETECTION_CONFIDENCE) return undefined;
  const name = normalizeCharset(encoding) ?? encoding.toLowerCase();
  return iconv.encodingExists(name) ? name : undefined;
}

/** jschardet's own minimum (its confidences run from 0 to 1). */
const MIN_DETECTION_CONFIDENCE = 0.2;

/** Bytes the detector reads: a feed's first items are plenty, and detection stays cheap on a 5 MB body. */
const DETECTION_BYTES = 64 * 1024;

export function charsetFromContentType(contentType: string | undefined): string | undefined {
  return contentType?.match(/;\s*charset\s*=\s*("?)([^";\s]+)\1/i)?.[2];
}

const BYTE_ORDER_MARKS: [mark: Buffer, charset: string][] = [
  [Buffer.from([0xef, 0xbb, 0xbf]), 'utf-8'],
  [Buffer.from([0xff, 0xfe]), 'utf-16le'],
  [Buffer.from([0xfe, 0xff]), 'utf-16be'],
];

function bomCharset(body: Buffer): string | undefined {
  return BYTE_ORDER_MARKS.find(([mark]) => body.subarray(0, mark.length).equals(mark))?.[1];
}

/** The head of the document as Latin-1: every ASCII-compatible encoding reads the same there. */
const head = (body: Buffer, bytes: number): string => body.subarray(0, bytes).toString('latin1');

export function xmlPrologCharset(body: Buffer): string | undefined {
  const m = /^\s*<\?xml\s[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9._:-]{1,40})["']/.exec(head(body, 512));
  return m?.[1];
}

/**
 * The attributes of a start tag (the text between its name and ">") by lower-cased name, quotes
 * taken off; the first of a repeated name wins, as in HTML.
 */
function tagAttributes(attributeText: string): Map<string, string> {
  const attributes = new Map<string, string>();
  const attributeRe = /([^\s"'<>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>][^\s>]*)))?/g;
  for (const [, name, doubleQuoted, singleQuoted, unquoted] of attributeText.matchAll(attributeRe)) {
    const key = name.toLowerCase();
    if (!attributes.has(key)) attributes.set(key, doubleQuoted ?? singleQuoted ?? unquoted ?? '');
  }
  return attributes;
}

/**
 * A <meta charset> or <meta http-equiv="Content-Type" content="...charset=..."> in the first 4 KiB
 * (the WHATWG prescan): a charset named anywhere else, say in a description, is not a declaration.
 */
export function metaCharset(body: Buffer): string | undefined {
  for (const [, attributeText] of head(body, 4096).matchAll(/<meta(\s[^>]{0,500})>/gi)) {
    const attributes = tagAttributes(attributeText);
    const charset = attributes.get('charset')?.trim();
    if (charset) return charset;
    if (attributes.get('http-equiv')?.toLowerCase() !== 'content-type') continue;
    const fromContent = attributes.get('content')?.match(/\bcharset\s*=\s*["']?([^"';\s]+)/i);
    if (fromContent) return fromContent[1];
  }
  return undefined;
}

export interface DecodedBody {
  text: string;
  /** The encoding used. */
  charset: string;
  /** Where the charset came from. */
  source: 'bom' | 'content-type' | 'xml-prolog' | 'meta' | 'detected' | 'default';
}

export function decodeBody(body: Buffer, contentType: string | undefined, kind: 'feed' | 'page'): DecodedBody {
  // iconv-lite drops a leading byte-order mark.
  const decode = (charset: string, source: DecodedBody['source']): DecodedBody => ({
    text: iconv.decode(body, charset),
    charset,
    source,
  });
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
    if (declared === 'utf-16le' || declared === 'utf-16be') declared = 'utf-8';
    if (declared) return decode(declared, source);
  }
  if (isUtf8(body)) return decode('utf-8', 'default');
  const detected = detectedCharset(body);
  return detected ? decode(detected, 'detected') : decode('windows-1252', 'default');
}
