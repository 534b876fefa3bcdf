/**
 * Store keys shared by the two stages. Kept apart from fetch-stage.ts so the publish stage (and the
 * summarize Lambda's bundle) does not load the fetcher, parsers and extractor just to name a key.
 */
import { createHash } from 'node:crypto';
import { datePath } from './dates';

/** A feed's id in the store: a hash of its URL, so no credential or token in a URL becomes a key. */
export const feedId = (url: string): string => createHash('sha256').update(url).digest('hex').slice(0, 32);
export const feedStateKey = (url: string): string => `state/feeds/${feedId(url)}.json`;
export const articlesPrefix = (date: string): string => `state/articles/${datePath(date)}`;
export const fetchReportKey = (date: string): string => `state/runs/${date}/fetch.json`;
