import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export const tempDir = (prefix = 'rss-digest-'): Promise<string> => mkdtemp(path.join(os.tmpdir(), prefix));
