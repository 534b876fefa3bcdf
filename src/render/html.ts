/**
 * The escaping every page is built with lives in src/html (shared by the pages, the mails, the
 * subscription pages and the message catalogue, which must not depend on the site's renderer).
 */
export * from '../html';
