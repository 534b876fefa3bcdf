import fs from 'node:fs';
import path from 'node:path';
import { parseFeed } from '../src/feeds';
const ROOT = '/work/main/tests/fixtures/feeds/conformance';
(async () => {
  for (const cls of fs.readdirSync(ROOT).sort()) for (const name of fs.readdirSync(path.join(ROOT, cls)).sort()) {
    const text = fs.readFileSync(path.join(ROOT, cls, name), 'utf8');
    try { const f = await parseFeed(text, 'http://example.org/feeds/feed.xml', { fetchedAt: '2030-01-01T00:00:00.000Z' }); console.log(cls+'/'+name, f.parser, f.parserNote ?? ''); }
    catch (e) { console.log(cls+'/'+name, 'ERR', (e as Error).message); }
  }
})();
