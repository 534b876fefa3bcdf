/** Where a day lives on the site: site/YYYY/MM/DD/ (pages, feeds, search, mails all link there). */

/** "2026/11/29" for "2026-11-29". */
export const datePath = (date: string): string => date.replace(/-/g, '/');

/** A day's page relative to the site root: "2026/11/29/index.html". */
export const dayPagePath = (date: string): string => `${datePath(date)}/index.html`;
