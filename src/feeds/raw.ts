/** What the format readers (RSS, Atom, CDF, JSON Feed) hand to normalization: strings as found. */
export interface RawItem {
  /** Plain-text title, or HTML when `titleIsHtml`. */
  title?: string;
  titleIsHtml?: boolean;
  /** Candidate links, best first, already resolved against xml:base / the document URL. */
  links: string[];
  /** GUID / Atom id / rdf:about / JSON Feed id. */
  id?: string;
  /** Date strings, best first (published before updated). */
  dates: string[];
  author?: string;
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
  author?: string;
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

/** "jane@example.com (Jane Doe)" → "Jane Doe". */
export const authorName = (raw: string | undefined): string | undefined => {
  if (!raw) return undefined;
  const m = /^\s*\S+@\S+\s*\((.+)\)\s*$/.exec(raw);
  return (m ? m[1] : raw).trim() || undefined;
};
