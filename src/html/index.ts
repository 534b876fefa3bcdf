/**
 * Escaping for every context the site, the mails and the subscription pages write to: HTML text and attributes (through the `markup`
 * tagged template, which escapes every interpolation unless it is already `SafeHtml`), URLs
 * (only absolute http(s) ever become links) and XML. Nothing from a feed or page reaches the
 * output any other way.
 */

/** A string that is already HTML (built by `markup`). The only way markup enters a page. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/*
 * Characters removed from every untrusted string: C0/C1 controls (not allowed in XML 1.0 either),
 * lone surrogates, noncharacters, and the explicit bidi embeddings/overrides/isolates
 * (U+202A–U+202E, U+2066–U+2069), which could reorder text outside its element ("Trojan Source"
 * spoofing). Direction is set by markup instead: `dir`, `<bdi>` and `dir="auto"`.
 */
const STRIP =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Untrusted text made safe to place anywhere (still needs escaping for its context). */
export function cleanText(value: unknown): string {
  return String(value ?? '').replace(STRIP, '');
}

/** Collapse whitespace too: headlines, names and one-line labels. */
export function cleanLine(value: unknown): string {
  return cleanText(value).replace(/\s+/g, ' ').trim();
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escape for HTML text and for quoted attribute values (every attribute we write is quoted). */
export function escapeHtml(value: unknown): string {
  return cleanText(value).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] as string);
}

/** XML text and attribute values (Atom). Same rules as HTML; `&apos;` is avoided for HTML-in-XML. */
export const escapeXml = escapeHtml;

type Interpolation = SafeHtml | string | number | boolean | null | undefined | Interpolation[];

function render(value: Interpolation): string {
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  // escapeHtml turns null and undefined into ''; false is what `${condition && markup`…`}` leaves.
  return value === false ? '' : escapeHtml(value);
}

/**
 * Template tag: every `${…}` is escaped unless it is SafeHtml (or an array of them). Not named
 * `html` because Prettier reformats `html`-tagged templates, which would change the output.
 */
export function markup(strings: TemplateStringsArray, ...values: Interpolation[]): SafeHtml {
  // A template has one string more than values: each value is followed by the string after it.
  return new SafeHtml(values.reduce<string>((out, value, i) => out + render(value) + strings[i + 1]!, strings[0]!));
}

/**
 * The URL to link to, or undefined: only absolute http(s) URLs without credentials are linked.
 * Relative URLs, `javascript:`, `data:`, `vbscript:`, `file:` and anything unparsable are refused.
 */
export function safeHttpUrl(raw: unknown): string | undefined {
  if (typeof raw !== 'string') return undefined;
  const text = raw.trim();
  // The URL parser strips tabs/newlines inside schemes ("java\nscript:"); refuse them outright.
  if (/[\u0000-\u0020\u007F-\u009F\u202A-\u202E\u2066-\u2069]/.test(text)) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (url.username || url.password || !url.hostname) return undefined;
  return url.href;
}

/** A BCP 47-looking tag for `lang`, else "und". */
export function safeLang(tag: unknown): string {
  return typeof tag === 'string' && /^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/.test(tag) ? tag : 'und';
}

/** `dir` attribute value: only the two directions we know, else "auto". */
export function safeDir(dir: unknown): 'ltr' | 'rtl' | 'auto' {
  return dir === 'ltr' || dir === 'rtl' ? dir : 'auto';
}

/** Primary language subtag, lower case. */
export const primaryLang = (tag: string): string => tag.split('-')[0]!.toLowerCase();
