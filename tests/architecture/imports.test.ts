/**
 * The import graph of src/ (dependency-cruiser, rules in .dependency-cruiser.cjs): no cycle between
 * files, no cycle between the stage folders (src/email and src/subscriptions once imported each
 * other), and the runtime never imports the CDK app or aws-cdk-lib. The same checks are run on a
 * small tree that breaks each rule, so a check that stopped working would fail here too.
 */
import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { tempDir } from '../helpers/tmp';

const ROOT = path.join(__dirname, '..', '..');
const DEPCRUISE = path.join(ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');

interface CruiseResult {
  modules: { source: string; dependencies: { resolved: string; dependencyTypes: string[] }[] }[];
  summary: { violations: { rule: { name: string }; from: string; to: string; cycle?: { name: string }[] }[] };
}

/** dependency-cruiser (an ES module) in a child process, over `src` of `cwd`, with that folder's config. */
function cruise(cwd: string): CruiseResult {
  const out = execFileSync(process.execPath, [DEPCRUISE, 'src', '--config', '.dependency-cruiser.cjs', '--output-type', 'json'], {
    cwd,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(out) as CruiseResult;
}

/** The folder directly under src/ ("email" for src/email/x.ts, "types" for src/types.ts). */
const folderOf = (file: string): string | undefined => /^src\/([^/]+?)(?:\/|\.ts$)/.exec(file)?.[1];

/**
 * Cycles between src/ folders through imports that exist at run time (a type-only import from a
 * lower folder, such as a stage naming its `Config` type, is no arrow back up). Each cycle as
 * folder names, first folder repeated at the end.
 */
function folderCycles(result: CruiseResult): string[][] {
  const edges = new Map<string, Set<string>>();
  for (const module of result.modules) {
    const from = folderOf(module.source);
    if (!from) continue;
    for (const dep of module.dependencies) {
      const to = folderOf(dep.resolved);
      if (!to || to === from || dep.dependencyTypes.includes('type-only')) continue;
      if (!edges.has(from)) edges.set(from, new Set());
      edges.get(from)!.add(to);
    }
  }
  const cycles: string[][] = [];
  const seen = new Set<string>();
  const walk = (folder: string, trail: string[]): void => {
    const at = trail.indexOf(folder);
    if (at >= 0) {
      const cycle = [...trail.slice(at), folder];
      const id = [...cycle.slice(0, -1)].sort().join(' ');
      if (!seen.has(id)) {
        seen.add(id);
        cycles.push(cycle);
      }
      return;
    }
    for (const next of edges.get(folder) ?? []) walk(next, [...trail, folder]);
  };
  for (const folder of edges.keys()) walk(folder, []);
  return cycles;
}

const describeViolations = (result: CruiseResult): string[] =>
  result.summary.violations.map(
    (v) => `${v.rule.name}: ${v.from} → ${v.to}${v.cycle ? ` (${v.cycle.map((c) => c.name).join(' → ')})` : ''}`,
  );

describe('the import graph of src/', () => {
  const result = cruise(ROOT);

  it('has no import cycle between files and never imports lib/ or aws-cdk-lib', () => {
    expect(result.modules.filter((m) => m.source.startsWith('src/')).length).toBeGreaterThan(100);
    expect(describeViolations(result)).toEqual([]);
  });

  it('has no import cycle between its folders', () => {
    expect(folderCycles(result)).toEqual([]);
  });

  it('keeps delivery below the pipeline: email renders, subscriptions keep records, delivery sends', () => {
    const imports = (folder: string, other: string): boolean =>
      result.modules.some((m) => folderOf(m.source) === folder && m.dependencies.some((d) => folderOf(d.resolved) === other));
    expect(imports('email', 'subscriptions')).toBe(false);
    expect(imports('email', 'pipeline')).toBe(false);
    expect(imports('delivery', 'pipeline')).toBe(false);
    expect(imports('channels', 'delivery')).toBe(false);
  });
});

describe('the import checks', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await tempDir('imports-');
    const files: Record<string, string> = {
      'src/a.ts': "import { b } from './b';\nexport const a = (): number => b + 1;\n",
      'src/b.ts': "import type { Shape } from './shape';\nexport const b = 1;\nexport type { Shape };\n",
      'src/shape.ts': "import { a } from './a';\nexport interface Shape { n: number }\nexport const start = a;\n",
      'src/up/one.ts': "import { two } from '../down/two';\nexport const one = two;\n",
      'src/down/two.ts': 'export const two = 2;\n',
      'src/down/three.ts': "import { one } from '../up/one';\nexport const three = one;\n",
      'src/deploy.ts':
        "import { Stack } from 'aws-cdk-lib';\nimport { stackName } from '../lib/stack';\nexport const s = [Stack, stackName];\n",
      'lib/stack.ts': "export const stackName = 'x';\n",
      'tsconfig.json': JSON.stringify({ compilerOptions: { strict: true, module: 'commonjs' }, include: ['src', 'lib'] }),
    };
    for (const [name, text] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
      await writeFile(path.join(dir, name), text);
    }
    await copyFile(path.join(ROOT, '.dependency-cruiser.cjs'), path.join(dir, '.dependency-cruiser.cjs'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('find a cycle through a type-only import, an import of lib/ and of aws-cdk-lib, and a cycle of folders', () => {
    const broken = cruise(dir);
    const rules = new Set(broken.summary.violations.map((v) => v.rule.name));
    expect([...rules].sort()).toEqual(['no-circular', 'src-not-to-aws-cdk-lib', 'src-not-to-lib']);
    expect(
      describeViolations(broken)
        .filter((v) => v.startsWith('no-circular'))
        .join('\n'),
    ).toContain('src/shape.ts');
    expect(folderCycles(broken).map((cycle) => cycle.slice(0, -1).sort())).toEqual([['down', 'up']]);
  });
});
