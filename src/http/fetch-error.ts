import type { ErrorClass } from '../types';

/** Why a fetch failed, as a named class the run report counts. Messages never carry credentials. */
export class FetchError extends Error {
  constructor(
    readonly errorClass: ErrorClass,
    message: string,
    readonly status?: number,
    readonly retryAfter?: string,
  ) {
    super(message);
    this.name = 'FetchError';
  }
}
