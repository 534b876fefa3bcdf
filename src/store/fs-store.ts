import { link, mkdir, open, readFile, readdir, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { assertValidKey, type PutOptions, type Store, type VersionedBody } from './port';

/** A compare-and-put lock older than this was left by a crashed process (a write holds it for milliseconds). */
const STALE_LOCK_MS = 10_000;
const LOCK_RETRY_MS = 5;

const errorCode = (err: unknown): string | undefined => (err as NodeJS.ErrnoException).code;
const versionOf = (body: Buffer): string => createHash('sha256').update(body).digest('hex');

/**
 * The embedded default: a folder on disk. Writes are atomic (temp file + rename); conditional
 * writes hold across processes on one machine: create-if-absent is an exclusive hard link of a
 * complete temp file, compare-and-put runs under an exclusive lock file.
 */
export class FsStore implements Store {
  readonly root: string;

  constructor(root: string) {
    this.root = path.resolve(root);
  }

  private file(key: string): string {
    assertValidKey(key);
    return path.join(this.root, ...key.split('/'));
  }

  async get(key: string): Promise<Buffer | undefined> {
    try {
      return await readFile(this.file(key));
    } catch (err) {
      if (errorCode(err) === 'ENOENT' || errorCode(err) === 'EISDIR') return undefined;
      throw err;
    }
  }

  async getVersioned(key: string): Promise<VersionedBody | undefined> {
    const body = await this.get(key);
    return body && { body, version: versionOf(body) };
  }

  async put(key: string, body: Buffer | string, _options?: PutOptions): Promise<void> {
    const file = this.file(key);
    const tmp = await this.writeTemp(file, body);
    await rename(tmp, file);
  }

  async putIfAbsent(key: string, body: Buffer | string, _options?: PutOptions): Promise<boolean> {
    const file = this.file(key);
    const tmp = await this.writeTemp(file, body);
    try {
      // link(2) fails with EEXIST when the name is taken, and readers never see a half-written file.
      await link(tmp, file);
      return true;
    } catch (err) {
      if (errorCode(err) === 'EEXIST') return false;
      throw err;
    } finally {
      await rm(tmp, { force: true });
    }
  }

  async putIfMatch(key: string, body: Buffer | string, version: string, _options?: PutOptions): Promise<boolean> {
    const file = this.file(key);
    const tmp = await this.writeTemp(file, body);
    const unlock = await this.lock(file);
    try {
      const current = await this.get(key);
      if (!current || versionOf(current) !== version) return false;
      await rename(tmp, file);
      return true;
    } finally {
      await unlock();
      await rm(tmp, { force: true });
    }
  }

  private async writeTemp(file: string, body: Buffer | string): Promise<string> {
    await mkdir(path.dirname(file), { recursive: true });
    const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    await writeFile(tmp, body);
    return tmp;
  }

  /** An exclusive lock file beside `file`; one left by a crashed process is broken after STALE_LOCK_MS. */
  private async lock(file: string): Promise<() => Promise<void>> {
    const lockFile = `${file}.lock.tmp`;
    for (;;) {
      try {
        const handle = await open(lockFile, 'wx');
        await handle.close();
        return () =>
          unlink(lockFile).catch((err: unknown) => {
            if (errorCode(err) !== 'ENOENT') throw err;
          });
      } catch (err) {
        if (errorCode(err) !== 'EEXIST') throw err;
      }
      const age = await stat(lockFile).then(
        (s) => Date.now() - s.mtimeMs,
        (err: unknown) => {
          if (errorCode(err) === 'ENOENT') return 0;
          throw err;
        },
      );
      if (age > STALE_LOCK_MS) await rm(lockFile, { force: true });
      else await new Promise((resolve) => setTimeout(resolve, LOCK_RETRY_MS));
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.file(key), { force: true });
  }

  async list(prefix: string): Promise<string[]> {
    const clean = prefix.replace(/\/+$/, '');
    if (clean) assertValidKey(clean);
    const start = clean ? path.join(this.root, ...clean.split('/')) : this.root;
    const out: string[] = [];
    const walk = async (dir: string, rel: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return;
        throw err;
      }
      for (const e of entries) {
        if (e.name.endsWith('.tmp')) continue;
        const r = rel ? `${rel}/${e.name}` : e.name;
        if (e.isDirectory()) await walk(path.join(dir, e.name), r);
        else if (e.isFile()) out.push(r);
      }
    };
    await walk(start, clean);
    return out.sort();
  }

  locate(key: string): string {
    return this.file(key);
  }
}
