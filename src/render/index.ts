/**
 * The static site people read: daily pages, archive, Atom and JSON feeds, client-side search.
 * `publishDigest` writes it to any Store; the render functions are pure (digest in, text out).
 */
export {
  publishDigest,
  publishOutageNotice,
  outageNotice,
  siteAssets,
  CACHE,
  TYPES,
  ARCHIVE_STATE_KEY,
  PublishError,
  dayDir,
  digestKey,
  type PublishOptions,
} from './publish';
export { renderDailyPage, renderSections, renderStory, sectionsFor, MAX_TOP_STORIES } from './daily';
export { renderArchivePage, renderSearchPage, type ArchiveDay } from './archive';
export { renderAtomFeed, renderJsonFeed, FEED_ENTRIES } from './feeds';
export {
  buildSearchShard,
  searchDocsFor,
  SEARCH_MANIFEST_KEY,
  type SearchDoc,
  type SearchShard,
  type SearchManifest,
} from './search-index';
export { normalizeForSearch, indexKeywords, searchWords } from './search-text';
export { cleanText, cleanLine, escapeHtml, escapeXml, markup, safeHttpUrl, SafeHtml } from './html';
export type { PageContext } from './layout';
export { datePath, dayPagePath } from './site-paths';
