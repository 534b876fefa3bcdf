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
