/** What the format readers (RSS, Atom, CDF, JSON Feed) hand to normalization: strings as found. */
export interface RawItem {
  /** Plain-text title, or HTML when `titleIsHtml`. */
  title?: string;
  titleIsHtml?: boolean;
  /** Candidate links to the entry's own page, best first, resolved against xml:base / the document URL. */
  links: string[];
  /** Links of other relations (related, via, enclosure…): what an entry without a page links to. */
  otherLinks?: string[];
  /** GUID / Atom id / rdf:about / JSON Feed id. */
  id?: string;
  /** Date strings, best first (published before updated). */
  dates: string[];
  /** Every author the entry names (author, dc:creator, atom:author, itunes:author, JSON Feed authors). */
  authors: RawAuthor[];
  contentHtml?: string;
  contentText?: string;
  categories: string[];
  lang?: string;
}

export interface RawFeed {
  format: 'rss' | 'rdf' | 'atom' | 'cdf' | 'json';
  title?: string;
  titleIsHtml?: boolean;
  link?: string;
  lang?: string;
  items: RawItem[];
}

/** A reference resolved against a base URL (xml:base or the document URL); undefined when it is not a URL. */
export const resolve = (ref: string | undefined, base: string): string | undefined => {
  const r = ref?.trim();
  if (!r) return undefined;
  try {
    return new URL(r, base || undefined).toString();
  } catch {
    return undefined;
  }
};

/** An author as the feed gives it; normalization cleans and bounds each part. */
export interface RawAuthor {
  name?: string;
  email?: string;
  url?: string;
}

const EMAIL = /^(?:mailto:)?([^\s@()<>]+@[^\s@()<>]+\.[^\s@()<>]+)$/i;

/**
 * One author from a line of text: "jane@example.com (Jane Doe)" (RSS 2.0's form), "Jane Doe
 * (jane@example.com)", "Jane Doe <jane@example.com>", a bare address, or a bare name.
 */
export function authorFromText(raw: string | undefined): RawAuthor | undefined {
  const text = raw?.replace(/\s+/g, ' ').trim();
  if (!text) return undefined;
  const bare = EMAIL.exec(text);
  if (bare) return { email: bare[1] };
  const paren = /^(.*?)\s*\(([^()]*)\)$/.exec(text) ?? /^(.*?)\s*<([^<>]*)>$/.exec(text);
  if (paren) {
    const [outside, inside] = [paren[1].trim(), paren[2].trim()];
    const outsideEmail = EMAIL.exec(outside);
    const insideEmail = EMAIL.exec(inside);
    if (outsideEmail && inside) return { name: inside, email: outsideEmail[1] };
    if (insideEmail && outside) return { name: outside, email: insideEmail[1] };
    if (insideEmail) return { email: insideEmail[1] };
  }
  return { name: text };
}

/** Authors from several text values (repeated dc:creator elements…), in order. */
export const authorsFromTexts = (values: (string | undefined)[]): RawAuthor[] =>
  values.map(authorFromText).filter((a): a is RawAuthor => !!a);

/** The first source that names any author wins: sources are alternatives, not additions. */
export const firstAuthors = (...sources: RawAuthor[][]): RawAuthor[] => sources.find((s) => s.length > 0) ?? [];

/** RSS `<guid>` as a link: isPermaLink defaults to true, but only an absolute URL (or an explicit "true") is trusted. */
export const guidIsPermalink = (guid: string, isPermaLink: string | undefined): boolean => {
  const flag = (isPermaLink ?? '').trim().toLowerCase();
  return flag !== 'false' && (/^https?:\/\//i.test(guid) || flag === 'true');
};

/** Atom link choice, for either reader's node shape: rel="alternate" (the default), an HTML type first. */
export function pickAlternateLink<T extends { rel?: string; type?: string }>(links: T[]): T | undefined {
  const alternates = links.filter((l) => {
    const rel = (l.rel ?? 'alternate').trim().toLowerCase();
    return rel === 'alternate' || rel === 'http://www.iana.org/assignments/relation/alternate';
  });
  return alternates.find((l) => /html/.test(l.type ?? 'text/html')) ?? alternates[0];
}
