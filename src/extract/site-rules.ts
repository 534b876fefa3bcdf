/**
 * Per-site help for the generic extractor, as data (postlight/parser and miniflux style): selectors whose elements
 * are removed before extraction, and optionally the selector of the article body. Looked up by exact host, then by
 * each parent domain down to the registrable one ("ar.example.com" → "example.com"), then the generic rule (none).
 * Every rule has a fixture under tests/fixtures/pages/ and a test; the generic algorithm must not depend on them.
 */

export interface SiteRule {
  /** Selector of the article body; its first match replaces candidate scoring. */
  body?: string;
  /** Selectors removed before extraction (inside or outside the body). */
  drop?: string[];
  /** Why the rule exists (which generic heuristic fails on the site, and how). */
  why: string;
}

/** Sorted by host. */
export const SITE_RULES: Readonly<Record<string, SiteRule>> = {
  // Fixture: tests/fixtures/pages/site-rule-inline-promos. The site's inline promos for its own series are whole
  // sentences with one short link, in <p> elements with an uninformative class, so they read as body text.
  'dailyledger.example': {
    body: 'div.ledger-story',
    drop: ['p.ledger-inset', 'div.ledger-sticky'],
    why: 'Inline promo paragraphs look like body text to the generic rules.',
  },
};

/** The rule for a URL's host: exact host, then parent domains, else undefined (generic extraction). */
export function siteRuleFor(url: string, rules: Readonly<Record<string, SiteRule>> = SITE_RULES): SiteRule | undefined {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase().replace(/\.$/, '');
  } catch {
    return undefined;
  }
  const labels = host.split('.');
  for (let i = 0; i < labels.length - 1; i++) {
    const rule = rules[labels.slice(i).join('.')];
    if (rule) return rule;
  }
  return undefined;
}
