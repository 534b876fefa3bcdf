/**
 * The storage port. Keys are relative, "/"-separated paths. Layout (identical for every adapter):
 *   site/   what the public sees (the only prefix CloudFront serves)
 *   state/  private: seen items, fetch state, articles, run reports, subscribers
 */
export { assertValidKey, StoreKeyError, type PutOptions, type Store, type VersionedBody } from './port';
import type { PutOptions, Store } from './port';

export async function getJson<T>(store: Store, key: string): Promise<T | undefined> {
  const body = await store.get(key);
  if (!body) return undefined;
  return JSON.parse(body.toString('utf8')) as T;
}

/** JSON at `key` with its version, for a read-modify-write with `putIfMatch`. */
export async function getJsonVersioned<T>(store: Store, key: string): Promise<{ value: T; version: string } | undefined> {
  const got = await store.getVersioned(key);
  if (!got) return undefined;
  return { value: JSON.parse(got.body.toString('utf8')) as T, version: got.version };
}

const jsonBody = (value: unknown): string => JSON.stringify(value, null, 2) + '\n';
const JSON_TYPE: PutOptions = { contentType: 'application/json; charset=utf-8' };

export const putJsonIfAbsent = (store: Store, key: string, value: unknown): Promise<boolean> =>
  store.putIfAbsent(key, jsonBody(value), JSON_TYPE);

export const putJsonIfMatch = (store: Store, key: string, value: unknown, version: string): Promise<boolean> =>
  store.putIfMatch(key, jsonBody(value), version, JSON_TYPE);

export async function putJson(store: Store, key: string, value: unknown, options: PutOptions = {}): Promise<void> {
  await store.put(key, jsonBody(value), { ...JSON_TYPE, ...options });
}

export { FsStore } from './fs-store';
export { S3Store } from './s3-store';
