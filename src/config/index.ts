import { readFile } from 'node:fs/promises';
import path from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import { configSchema, type Config } from './schema';
import { parseOpml } from './opml';

export * from './schema';
export { parseOpml } from './opml';

/** A configuration that failed validation; the message names every bad key. */
export class ConfigError extends Error {
  constructor(
    message: string,
    readonly issues: { key: string; message: string }[] = [],
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

const keyOf = (p: readonly PropertyKey[]): string =>
  p.reduce<string>((acc, k) => (typeof k === 'number' ? `${acc}[${k}]` : acc ? `${acc}.${String(k)}` : String(k)), '');

function formatIssues(error: z.ZodError): { key: string; message: string }[] {
  return error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      const base = keyOf(issue.path);
      return { key: issue.keys.map((k) => (base ? `${base}.${k}` : k)).join(', '), message: 'unknown key' };
    }
    return { key: keyOf(issue.path) || '(root)', message: issue.message };
  });
}

/** Validate an already-parsed configuration object. OPML is not read here (see loadConfigFile). */
export function parseConfig(raw: unknown): Config {
  const result = configSchema.safeParse(raw ?? {});
  if (!result.success) {
    const issues = formatIssues(result.error);
    throw new ConfigError(`Invalid configuration:\n${issues.map((i) => `  - ${i.key}: ${i.message}`).join('\n')}`, issues);
  }
  return result.data;
}

/** Parse YAML or JSON text (JSON is valid YAML) and validate it. */
export function parseConfigText(text: string, source = 'config'): Config {
  let raw: unknown;
  try {
    raw = YAML.parse(text);
  } catch (err) {
    throw new ConfigError(`${source}: not valid YAML/JSON: ${(err as Error).message}`);
  }
  return parseConfig(raw);
}

/**
 * Read, validate and complete a configuration file: feeds from `opml` (relative to the file)
 * are appended to `feeds`, duplicates by URL removed.
 */
export async function loadConfigFile(file: string): Promise<Config> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`Cannot read config file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const config = parseConfigText(text, file);
  if (config.opml) {
    const opmlPath = path.resolve(path.dirname(file), config.opml);
    let opmlText: string;
    try {
      // Stryker disable next-line StringLiteral: without an encoding readFile returns a Buffer, which cheerio decodes as UTF-8 too
      opmlText = await readFile(opmlPath, 'utf8');
    } catch {
      throw new ConfigError(`opml: cannot read ${opmlPath}`, [{ key: 'opml', message: 'cannot read file' }]);
    }
    const imported = parseOpml(opmlText);
    const known = new Set(config.feeds.map((f) => f.url));
    for (const feed of imported) {
      if (!known.has(feed.url)) {
        known.add(feed.url);
        config.feeds.push(feed);
      }
    }
  }
  if (config.feeds.length === 0) {
    throw new ConfigError('feeds: at least one feed is required (or an opml file with feeds)', [
      { key: 'feeds', message: 'at least one feed is required' },
    ]);
  }
  return config;
}
