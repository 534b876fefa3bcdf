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
 * UTF-8. It names the Windows supersets CP932 and CP949, which iconv-lite knows and which are
 * what the WHATWG Shift_JIS and EUC-KR decoders implement.
 */
function detectedCharset(body: Buffer): string | undefined {
  const { encoding, confidence } = loadDetector().detect(body.subarray(0, DETECTION_BYTES));
  // A few accented letters in a short Latin text get wild, low-confidence guesses (MacTurkish,
  // cp720…): below the floor, windows-1252 is the better bet.
  if (!encoding || confidence < MIN_DETECTION_CONFIDENCE) return undefined;
  const whatwg = normalizeCharset(encoding);
  if (whatwg && whatwg !== 'utf-8') return whatwg;
  const name = encoding.toLowerCase();
  return name !== 'ascii' && !name.startsWith('utf') && iconv.encodingExists(name) ? name : undefined;
}

/** jschardet's own minimum (its confidences run from 0 to 1). */
const MIN_DETECTION_CONFIDENCE = 0.2;

/** Bytes the detector reads: a feed's first items are plenty, and detection stays cheap on a 5 MB body. */
const DETECTION_BYTES = 64 * 1024;

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
  source: 'bom' | 'content-type' | 'xml-prolog' | 'meta' | 'detected' | 'default';
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
  if (isUtf8(body)) return decode('utf-8', 'default');
  const detected = detectedCharset(body);
  return detected ? decode(detected, 'detected') : decode('windows-1252', 'default');
}
