/** A real store passed through unchanged: tests extend it to record or fail some calls. */
import type { PutOptions, Store } from '../../src/store';

export class StoreWrapper implements Store {
  constructor(readonly inner: Store) {}
  get(key: string) {
    return this.inner.get(key);
  }
  getVersioned(key: string) {
    return this.inner.getVersioned(key);
  }
  put(key: string, body: Buffer | string, options?: PutOptions) {
    return this.inner.put(key, body, options);
  }
  putIfAbsent(key: string, body: Buffer | string, options?: PutOptions) {
    return this.inner.putIfAbsent(key, body, options);
  }
  putIfMatch(key: string, body: Buffer | string, version: string, options?: PutOptions) {
    return this.inner.putIfMatch(key, body, version, options);
  }
  delete(key: string) {
    return this.inner.delete(key);
  }
  list(prefix: string) {
    return this.inner.list(prefix);
  }
  locate(key: string) {
    return this.inner.locate(key);
  }
}
