/**
 * `npm run demo`: start the bundled fixture news sites on 127.0.0.1, run the whole pipeline
 * against them with the filesystem store, and print where to open the digest. No network needed.
 */
import path from 'node:path';
import { parseConfig, type Config } from '../config';
import { createDigestDeliverer } from '../delivery';
import { runDigest } from '../pipeline';
import { FsStore } from '../store';
import { formatSummary } from '../cli/main';
import { createProgress } from '../cli/progress';
import { startDemoServer, type DemoServer } from './server';

export function demoConfig(server: DemoServer, overrides: Record<string, unknown> = {}): Config {
  return parseConfig({
    feeds: server.feeds,
    digest: { title: 'rss-digest demo', timezone: 'UTC', summarySentences: 3 },
    network: { allowHosts: [server.hostPort], timeoutMs: 5000 },
    site: { url: 'http://127.0.0.1:8080' },
    ...overrides,
  });
}

async function main(): Promise<void> {
  const outDir = path.resolve(process.argv[2] ?? process.env.RSS_DIGEST_OUT ?? 'digest');
  const server = await startDemoServer();
  try {
    const config = demoConfig(server);
    const store = new FsStore(outDir);
    const progress = createProgress();
    const summary = await runDigest({
      config,
      store,
      onEvent: (e) => progress.onEvent(e),
      deliver: createDigestDeliverer({ config, store, outDir }),
    });
    progress.done();
    process.stdout.write(
      `${formatSummary(summary)}\n\nPreview it in a browser: npx rss-digest serve --out ${path.relative(process.cwd(), outDir) || '.'} (then open http://127.0.0.1:8080/)\n`,
    );
  } finally {
    await server.close();
  }
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`demo failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  });
}
