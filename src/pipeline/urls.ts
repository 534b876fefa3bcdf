import { createHash } from 'node:crypto';

/** Query parameters that only track the reader; they never change which article a URL names. */
const TRACKING = /^(utm_[a-z]+|fbclid|gclid|dclid|mc_cid|mc_eid|ocid|cmpid|ref|ref_src|_ga|yclid|igshid)$/i;

/** The form of an article URL used to recognise the same story in several feeds. */
export function canonicalizeUrl(raw: string): string {
  try {
    const u = new URL(raw);
    u.hash = '';
    u.hostname = u.hostname.toLowerCase().replace(/^www\./, '');
    for (const key of [...u.searchParams.keys()]) if (TRACKING.test(key)) u.searchParams.delete(key);
    u.searchParams.sort();
    if (u.pathname.length > 1) u.pathname = u.pathname.replace(/\/+$/, '');
    u.protocol = 'https:';
    if (u.port === '443' || u.port === '80') u.port = '';
    return u.toString();
  } catch {
    return raw;
  }
}

export const storyIdFor = (canonicalUrl: string): string => createHash('sha256').update(canonicalUrl).digest('hex').slice(0, 20);
