/** Build the adapters a local run composes with the core: the store from config (or --out), the mailer. */
import path from 'node:path';
import type { Config } from '../config/schema';
import { FsStore, S3Store, type Store } from '../store';

export const DEFAULT_OUT_DIR = './digest';

/** The store a config asks for; a filesystem folder (--out, default ./digest) unless `store.kind` is s3. */
export function createStore(config: Config, outDir?: string): Store {
  if (config.store.kind === 's3') {
    return new S3Store({
      bucket: config.store.bucket,
      prefix: config.store.prefix,
      clientConfig: {
        region: config.store.region ?? process.env.AWS_REGION ?? 'us-east-1',
        endpoint: config.store.endpoint,
        forcePathStyle: config.store.forcePathStyle,
      },
    });
  }
  return new FsStore(path.resolve(outDir ?? config.store.dir ?? DEFAULT_OUT_DIR));
}
