/**
 * The core as a library: `npm run build` compiles src/ to JavaScript and package.json `exports`
 * exposes extractArticle and summarize. Built here into a temporary folder with the same tsconfig.
 */
import { execFile } from 'node:child_process';
import { mkdir, readFile, rm, symlink, writeFile, cp } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { tempDir } from '../helpers/tmp';

const run = promisify(execFile);
const ROOT = path.join(__dirname, '..', '..');

describe('library build', () => {
  let pkgDir: string;
  beforeAll(async () => {
    // A package folder shaped like an install: package.json + dist/, resolving node_modules from the repo.
    pkgDir = path.join(await tempDir('lib-'), 'rss-digest');
    await mkdir(pkgDir);
    await run(
      process.execPath,
      [
        path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'),
        '-p',
        path.join(ROOT, 'tsconfig.build.json'),
        '--outDir',
        path.join(pkgDir, 'dist'),
      ],
      {
        cwd: ROOT,
        timeout: 180_000,
      },
    );
    await cp(path.join(ROOT, 'package.json'), path.join(pkgDir, 'package.json'));
    await symlink(path.join(ROOT, 'node_modules'), path.join(pkgDir, 'node_modules'), 'dir');
    await writeFile(path.join(pkgDir, '..', 'use.js'), "module.exports = require('./node_modules/rss-digest');");
    await mkdir(path.join(pkgDir, '..', 'node_modules'));
    await symlink(pkgDir, path.join(pkgDir, '..', 'node_modules', 'rss-digest'), 'dir');
  }, 240_000);
  afterAll(() => rm(path.dirname(pkgDir), { recursive: true, force: true }));

  it('resolves through package.json exports to compiled extractArticle and summarize', async () => {
    const pkg = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.exports['.'].default).toBe('./dist/src/index.js');
    const script = `
      const lib = require(${JSON.stringify(path.join(pkgDir, '..', 'use.js'))});
      const html = '<html lang="ar"><body><article><h1>عنوان</h1><p>' + 'وقعت إسرائيل والمغرب مذكرة تفاهم في الرباط يوم الأربعاء لتبادل المعلومات والتدريبات المشتركة. '.repeat(4) + '</p><p>وقال المسؤول إن الاتفاق يسمح بتعاون أعمق بين الصناعات الدفاعية في البلدين خلال السنوات المقبلة.</p></article></body></html>';
      const a = lib.extractArticle(html, 'https://news.example/a');
      const s = lib.summarize('The bridge reopened on Monday after an 18-month rebuild. Buses crossed at 5 a.m. without delays. The mayor said it finished two months early. Tolls stay suspended this month.', { lang: 'en', maxSentences: 2 });
      process.stdout.write(JSON.stringify({ keys: Object.keys(a), lang: a.lang, dir: a.dir, text: a.text, s }));
    `;
    const { stdout } = await run(process.execPath, ['-e', script], { cwd: path.dirname(pkgDir) });
    const out = JSON.parse(stdout);
    expect(out.keys).toEqual(expect.arrayContaining(['title', 'text', 'lang', 'dir']));
    expect(out.lang).toBe('ar');
    expect(out.dir).toBe('rtl');
    expect(out.text).toContain('مذكرة تفاهم');
    expect(out.s.length).toBeGreaterThan(0);
    expect(out.s.length).toBeLessThanOrEqual(2);
    for (const sentence of out.s) expect(typeof sentence).toBe('string');
  });

  it('exports clusterArticles: every id in exactly one cluster, the same input giving the same clusters', async () => {
    const script = `
      const lib = require(${JSON.stringify(path.join(pkgDir, '..', 'use.js'))});
      const a = (id, title, text) => ({ id, title, text, lang: 'en', publishedAt: '2026-03-02T10:00:00Z', source: id });
      const articles = [
        a('1', 'Magnitude 6.1 earthquake strikes Qeshm island in Iran', 'A magnitude 6.1 earthquake struck Qeshm island in southern Iran on Sunday, killing 7 people, officials in Bandar Abbas said.'),
        a('2', 'Iran quake: 7 dead on Qeshm island', 'Seven people died when a 6.1 magnitude earthquake hit Qeshm island off southern Iran on Sunday, officials in Bandar Abbas said.'),
        a('3', 'Bridge reopens in Harbor City', 'The Harbor Bridge reopened to traffic on Monday after an 18-month rebuild costing 412 million dollars.'),
      ];
      const first = lib.clusterArticles(articles);
      const again = lib.clusterArticles([...articles].reverse());
      process.stdout.write(JSON.stringify({ first, again }));
    `;
    const { stdout } = await run(process.execPath, ['-e', script], { cwd: path.dirname(pkgDir) });
    const out = JSON.parse(stdout) as { first: { id: string; articleIds: string[] }[]; again: unknown };
    expect(out.first.flatMap((c) => c.articleIds).sort()).toEqual(['1', '2', '3']);
    expect(out.first.map((c) => [...c.articleIds].sort())).toEqual(expect.arrayContaining([['1', '2'], ['3']]));
    expect(out.again).toEqual(out.first);
  });
});
