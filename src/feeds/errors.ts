import type { ErrorClass } from '../types';

/** Why a feed document gave no items: `not-a-feed`, `parse`, `too-large` or `timeout`. */
export class FeedParseError extends Error {
  constructor(
    readonly errorClass: ErrorClass,
    message: string,
  ) {
    super(message);
    this.name = 'FeedParseError';
  }
}
