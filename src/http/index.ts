/**
 * The one HTTP fetcher used for feeds and article pages, and the decoding of what it fetches.
 */
export {
  createFetcher,
  FetchError,
  USER_AGENT,
  type Fetcher,
  type FetcherOptions,
  type FetchRequest,
  type FetchResult,
} from './fetcher';
export { decodeBody, normalizeCharset, type DecodedBody } from './charset';
export { blockedAddressReason } from './address';
export { interleaveByHost } from './limiter';
export { boundHtml, type HtmlBounds } from './html-bounds';
