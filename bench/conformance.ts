/**
 * Feed-parser conformance: runs our feed readers (src/feeds inspectFeed, the same code the fetch
 * stage uses) over a conformance suite in the format of the Universal Feed Parser's test files —
 * one small feed per file, its expected values in a leading comment:
 *
 *   <!--
 *   Description: entry title
 *   Expect:      not bozo and entries[0]['title'] == 'Example Atom'
 *   -->
 *
 * Every `==` clause of an Expect line that names an entry's title, link, published/updated date or
 * author (and, reported apart, the feed's title and link) is one case. rss-parser 3.13's own `parseString`
 * with default options runs over the same cases as the anchor.
 *
 * The suite is data from outside this repository and is never copied into it:
 *   npm run bench:conformance -- [--dir DIR] [--verbose]
 * DIR defaults to $FEED_CONFORMANCE_DIR, else ../shared/bench/feed-conformance. A Python module of
 * date cases in the same directory tree (a file whose name starts with test_date) is read too: its
 * ("date string", (Y, M, D, h, m, s, …)) pairs are run through parseFeedDate.
 */
import fs from 'node:fs';
import path from 'node:path';
import Parser from 'rss-parser';
import { inspectFeed, parseFeedDate, type FeedView } from '../src/feeds';
import { htmlToText } from '../src/feeds/text';
import { decodeBody } from '../src/http';
import { argValue, helpIfAsked } from './harness';

helpIfAsked(__filename);

const DIR = path.resolve(
  argValue('dir') ?? process.env.FEED_CONFORMANCE_DIR ?? path.join(__dirname, '../../shared/bench/feed-conformance'),
);
const VERBOSE = process.argv.includes('--verbose');
/** Where the suite's own harness serves the files from: relative links resolve against it. */
const SERVED_FROM = 'http://127.0.0.1:8097/';

// ---------------------------------------------------------------- Python literals and Expect lines

type PyValue = string | number | null | boolean | PyValue[];

/** Reads one Python literal: a string (u/b/r prefixes), int, tuple/list, None, True or False. */
function parsePyLiteral(src: string): PyValue {
  let i = 0;
  const ws = (): void => {
    while (i < src.length && /\s/.test(src[i])) i++;
  };
  const value = (): PyValue => {
    ws();
    const c = src[i];
    if (c === '(' || c === '[') {
      const close = c === '(' ? ')' : ']';
      i++;
      const items: PyValue[] = [];
      for (;;) {
        ws();
        if (src[i] === close) {
          i++;
          return items;
        }
        items.push(value());
        ws();
        if (src[i] === ',') i++;
      }
    }
    const str = /^([uUbBrR]{0,2})('''|"""|'|")/.exec(src.slice(i));
    if (str) {
      const raw = /r/i.test(str[1]);
      const quote = str[2];
      i += str[0].length;
      let out = '';
      while (i < src.length && !src.startsWith(quote, i)) {
        const ch = src[i];
        if (ch === '\\' && !raw) {
          const next = src[i + 1];
          const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '\n': '' };
          if (next in simple) {
            out += simple[next];
            i += 2;
          } else if (next === 'x' || next === 'u' || next === 'U') {
            const len = next === 'x' ? 2 : next === 'u' ? 4 : 8;
            out += String.fromCodePoint(parseInt(src.slice(i + 2, i + 2 + len), 16));
            i += 2 + len;
          } else if (/[0-7]/.test(next)) {
            const oct = /^[0-7]{1,3}/.exec(src.slice(i + 1))![0];
            out += String.fromCharCode(parseInt(oct, 8));
            i += 1 + oct.length;
          } else {
            out += ch + next;
            i += 2;
          }
        } else {
          out += ch;
          i++;
        }
      }
      i += quote.length;
      ws();
      // Adjacent literals concatenate.
      return /^[uUbBrR]{0,2}['"]/.test(src.slice(i)) ? out + (value() as string) : out;
    }
    const word = /^(-?\d+|None|True|False)/.exec(src.slice(i));
    if (!word) throw new Error(`not a literal: ${src.slice(i, i + 30)}`);
    i += word[0].length;
    return word[0] === 'None' ? null : word[0] === 'True' ? true : word[0] === 'False' ? false : Number(word[0]);
  };
  const v = value();
  ws();
  if (i !== src.length) throw new Error(`trailing text after literal: ${src.slice(i, i + 30)}`);
  return v;
}

/** Splits an expression on top-level ` and `, outside quotes and brackets. */
function splitAnd(expr: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let start = 0;
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
    else if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth--;
    else if (depth === 0 && expr.startsWith(' and ', i)) {
      parts.push(expr.slice(start, i));
      start = i + 5;
      i += 4;
    }
  }
  parts.push(expr.slice(start));
  return parts.map((p) => p.trim());
}

/** `entries[0]['title_detail']['value']` → ['entries', 0, 'title_detail', 'value']. */
function parsePath(lhs: string): (string | number)[] | undefined {
  const m = /^([a-z_]+)((?:\[(?:\d+|'[^']*'|"[^"]*")\])*)$/.exec(lhs.trim());
  if (!m) return undefined;
  const segs: (string | number)[] = [m[1]];
  for (const s of m[2].matchAll(/\[(\d+|'[^']*'|"[^"]*")\]/g)) segs.push(/^\d/.test(s[1]) ? Number(s[1]) : s[1].slice(1, -1));
  return segs;
}

type Field = 'entry title' | 'entry link' | 'entry date' | 'entry author' | 'feed title' | 'feed link';
const FIELDS: Field[] = ['entry title', 'entry link', 'entry date', 'entry author', 'feed title', 'feed link'];
/** `author`, `author_detail.name|email|url`, `authors.N.name|email|url` (`href` too): the entry's authors. */
const AUTHOR_KEY = /^(author|author_detail\.(name|email|href|url)|authors\.\d+\.(name|email|href|url))$/;
const DATE_KEYS = new Set(['published_parsed', 'updated_parsed', 'date_parsed', 'issued_parsed', 'modified_parsed']);

interface Check {
  field: Field;
  entry: number;
  key: string;
  want: PyValue;
}

/**
 * The clauses of an Expect line that this benchmark scores. A chained comparison
 * (`entries[0]['link'] == entries[1]['link'] == 'X'`) is one check per path. `links[0]['href']`
 * counts as the entry's link: in the suite it is the entry's only (alternate) link.
 */
function checksOf(expect: string): Check[] {
  const checks: Check[] = [];
  for (const clause of splitAnd(expect)) {
    const sides = clause.split(/\s*==\s*(?=entries\[|feed\[|[uUrRbB]?['"(\d-]|None)/);
    if (sides.length < 2) continue;
    let want: PyValue;
    try {
      want = parsePyLiteral(sides[sides.length - 1]);
    } catch {
      continue;
    }
    if (typeof want !== 'string' && !Array.isArray(want)) continue;
    for (const side of sides.slice(0, -1)) {
      const p = parsePath(side);
      if (!p) continue;
      const key = p.slice(p[0] === 'entries' ? 2 : 1).join('.');
      let field: Field | undefined;
      if (p[0] === 'entries' && typeof p[1] === 'number') {
        if (key === 'title' || key === 'title_detail.value') field = 'entry title';
        else if (key === 'link' || key === 'links.0.href') field = 'entry link';
        else if (DATE_KEYS.has(key)) field = 'entry date';
        else if (AUTHOR_KEY.test(key)) field = 'entry author';
      } else if (p[0] === 'feed') {
        if (key === 'title' || key === 'title_detail.value') field = 'feed title';
        else if (key === 'link') field = 'feed link';
      }
      // links[N] with another rel (license, self, …) is not the entry's link.
      const rel = /^links\.(\d+)\.href$/.exec(key);
      if (rel && new RegExp(`\\['links'\\]\\[${rel[1]}\\]\\['rel'\\] == [uU]?'(?!alternate')`).test(expect)) continue;
      if (field) checks.push({ field, entry: typeof p[1] === 'number' ? p[1] : 0, key, want });
    }
  }
  return checks;
}

interface SuiteCase {
  file: string;
  description: string;
  checks: Check[];
  body: Buffer;
  contentType?: string;
}

function walk(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((d) => (d.isDirectory() ? walk(path.join(dir, d.name)) : [path.join(dir, d.name)]))
    .sort();
}

function loadSuite(files: string[]): SuiteCase[] {
  const cases: SuiteCase[] = [];
  for (const file of files) {
    const body = fs.readFileSync(file);
    const head = body.subarray(0, 4096).toString('latin1');
    const comment = /<!--([\s\S]*?)-->/.exec(head);
    if (!comment) continue;
    const expect = /^\s*Expect:\s*(.+)$/m.exec(comment[1]);
    if (!expect) continue;
    const checks = checksOf(Buffer.from(expect[1], 'latin1').toString('utf8').trim());
    if (!checks.length) continue;
    const contentType = /^\s*Header:\s*Content-type:\s*(.+)$/im.exec(comment[1])?.[1].trim();
    const description = /^\s*Description:\s*(.+)$/m.exec(comment[1])?.[1].trim() ?? '';
    cases.push({ file: path.relative(DIR, file), description, checks, body, contentType });
  }
  return cases;
}

// ---------------------------------------------------------------- scoring

interface Observed {
  feedTitle?: string;
  feedLink?: string;
  entries: { title?: string; link?: string; published?: string; authors?: { name?: string; email?: string; url?: string }[] }[];
  error?: string;
}

const squash = (s: string): string => s.replace(/\s+/g, ' ').trim();
const hasMarkup = (s: string): boolean => /<[a-z!/]|&(#\d+|#x[0-9a-f]+|[a-z]+);/i.test(s);

/**
 * Our titles are plain text by design (HTML titles are rendered to text); the suite's are sanitized
 * HTML when the source title was HTML. So an HTML expectation also matches its text rendering —
 * unless the source declares the title as text, where markup-looking characters are literal.
 */
function titleMatches(got: string | undefined, want: string, source: string): boolean {
  if (got === undefined) got = ''; // no title: right when the expected title renders to nothing
  if (squash(got) === squash(want)) return true;
  const declaredText = /<title[^>]*\btype=["'](text|text\/plain)["']/i.test(source);
  return hasMarkup(want) && !declaredText && squash(got) === squash(htmlToText(want));
}

const normalizeUrl = (u: string): string => {
  try {
    return new URL(u).href;
  } catch {
    return u;
  }
};

function dateMatches(got: string | undefined, want: PyValue): boolean {
  if (!Array.isArray(want) || want.length < 6 || got === undefined) return false;
  const d = new Date(got);
  const parts = [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()];
  return parts.every((v, i) => v === want[i]);
}

/**
 * An author clause. `author` is the Universal Feed Parser's display string: the name, or
 * "Name (email)" when both are known, or the address alone.
 */
function authorMatches(authors: NonNullable<Observed['entries'][number]['authors']>, key: string, want: string): boolean {
  const index = /^authors\.(\d+)\./.exec(key)?.[1];
  const person = authors[index ? Number(index) : 0];
  if (!person) return false;
  if (key === 'author') {
    const shown = person.name && person.email && person.name !== person.email ? `${person.name} (${person.email})` : undefined;
    return [person.name, shown, person.email].includes(want);
  }
  const part = key.slice(key.lastIndexOf('.') + 1);
  return (part === 'name' ? person.name : part === 'email' ? person.email : person.url) === want;
}

function passes(check: Check, got: Observed, source: string): boolean {
  const entry = got.entries[check.entry];
  switch (check.field) {
    case 'entry title':
      return entry !== undefined && titleMatches(entry.title, check.want as string, source);
    case 'entry link':
      return entry?.link !== undefined && normalizeUrl(entry.link) === normalizeUrl(check.want as string);
    case 'entry date':
      return dateMatches(entry?.published, check.want);
    case 'entry author':
      return typeof check.want === 'string' && authorMatches(entry?.authors ?? [], check.key, check.want);
    case 'feed title':
      return !got.error && titleMatches(got.feedTitle, check.want as string, source);
    case 'feed link':
      return got.feedLink !== undefined && normalizeUrl(got.feedLink) === normalizeUrl(check.want as string);
  }
}

async function ours(c: SuiteCase): Promise<Observed> {
  try {
    const { text } = decodeBody(c.body, c.contentType, 'feed');
    const view: FeedView = await inspectFeed(text, SERVED_FROM + c.file.split(path.sep).join('/'));
    return { feedTitle: view.title, feedLink: view.link, entries: view.entries };
  } catch (err) {
    return { entries: [], error: (err as Error).message };
  }
}

const rssParser = new Parser();

async function anchor(c: SuiteCase): Promise<Observed> {
  try {
    const { text } = decodeBody(c.body, c.contentType, 'feed');
    const out = await rssParser.parseString(text);
    const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
    return {
      feedTitle: str(out.title),
      feedLink: str(out.link),
      entries: out.items.map((it) => {
        const author = str(it.creator) ?? str(it.author);
        return {
          title: str(it.title),
          link: str(it.link),
          published: str(it.isoDate),
          authors: author ? [{ name: author }] : [],
        };
      }),
    };
  } catch (err) {
    return { entries: [], error: (err as Error).message };
  }
}

/** ("date string", (Y, M, D, h, m, s, …) or None) pairs from a Python test module; None = must not parse. */
function dateCases(files: string[]): { file: string; input: string; want: PyValue }[] {
  const out: { file: string; input: string; want: PyValue }[] = [];
  for (const file of files.filter((f) => /^test_date.*\.py$/.test(path.basename(f)))) {
    const src = fs.readFileSync(file, 'utf8');
    const pair =
      /\(\s*(?:[\w.]+,\s*)?([uU]?(?:"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'))\s*,\s*(\((?:\s*-?\d+\s*,?){6,9}\)|None)\s*,?\s*\)/g;
    for (const m of src.matchAll(pair)) {
      try {
        out.push({ file: path.relative(DIR, file), input: parsePyLiteral(m[1]) as string, want: parsePyLiteral(m[2]) });
      } catch {
        // not a literal pair
      }
    }
  }
  return out;
}

const pct = (p: number, t: number): string => (t ? `${((100 * p) / t).toFixed(1)}%` : '—');

async function main(): Promise<void> {
  if (!fs.existsSync(DIR)) {
    console.error(
      `No conformance suite at ${DIR}.\nGive one with --dir DIR or FEED_CONFORMANCE_DIR: a tree of feeds in the Universal Feed Parser's test-file format.`,
    );
    process.exit(2);
  }
  const files = walk(DIR);
  const cases = loadSuite(files);
  const tally = { ours: new Map<Field, [number, number]>(), anchor: new Map<Field, [number, number]>() };
  const failures: string[] = [];
  for (const c of cases) {
    const source = c.body.toString('utf8');
    const [mine, theirs] = [await ours(c), await anchor(c)];
    for (const check of c.checks) {
      for (const [who, got] of [
        ['ours', mine],
        ['anchor', theirs],
      ] as const) {
        const ok = passes(check, got, source);
        const [p, t] = tally[who].get(check.field) ?? [0, 0];
        tally[who].set(check.field, [p + (ok ? 1 : 0), t + 1]);
        if (who === 'ours' && !ok) {
          const entry = got.entries[check.entry];
          const value =
            got.error ??
            (check.field.startsWith('feed')
              ? check.field === 'feed title'
                ? got.feedTitle
                : got.feedLink
              : check.field === 'entry title'
                ? entry?.title
                : check.field === 'entry link'
                  ? entry?.link
                  : check.field === 'entry author'
                    ? JSON.stringify(entry?.authors)
                    : entry?.published);
          failures.push(`${c.file} [${check.key}] want ${JSON.stringify(check.want)} got ${JSON.stringify(value)}`);
        }
      }
    }
  }
  const sum = (m: Map<Field, [number, number]>, fields: Field[]): [number, number] =>
    fields.reduce<[number, number]>(
      (acc, f) => {
        const [p, t] = m.get(f) ?? [0, 0];
        return [acc[0] + p, acc[1] + t];
      },
      [0, 0],
    );
  console.log(`Conformance suite: ${DIR}`);
  console.log(`${files.length} files, ${cases.length} with scored clauses\n`);
  console.log('field          cases   rss-digest     rss-parser 3.13 (defaults)');
  for (const f of FIELDS) {
    const [p, t] = tally.ours.get(f) ?? [0, 0];
    const [ap] = tally.anchor.get(f) ?? [0, 0];
    if (t) console.log(`${f.padEnd(14)} ${String(t).padStart(5)}   ${`${p} ${pct(p, t)}`.padEnd(14)} ${ap} ${pct(ap, t)}`);
  }
  const entryFields: Field[] = ['entry title', 'entry link', 'entry date'];
  const [p, t] = sum(tally.ours, entryFields);
  const [ap] = sum(tally.anchor, entryFields);
  console.log(`\nEntry titles, links and dates: rss-digest ${p}/${t} = ${pct(p, t)}; rss-parser ${ap}/${t} = ${pct(ap, t)}`);
  const [fp, ft] = sum(tally.ours, FIELDS);
  const [fap] = sum(tally.anchor, FIELDS);
  console.log(
    `All scored clauses (feed title/link too): rss-digest ${fp}/${ft} = ${pct(fp, ft)}; rss-parser ${fap}/${ft} = ${pct(fap, ft)}`,
  );

  const dates = dateCases(files);
  if (dates.length) {
    let dp = 0;
    const dateFailures: string[] = [];
    for (const d of dates) {
      const got = parseFeedDate(d.input);
      if (d.want === null ? got === undefined : dateMatches(got?.toISOString(), d.want)) dp++;
      else dateFailures.push(`${d.file}: ${JSON.stringify(d.input)} want ${JSON.stringify(d.want)} got ${got?.toISOString()}`);
    }
    console.log(`Date strings (${dates[0].file}): parseFeedDate ${dp}/${dates.length} = ${pct(dp, dates.length)}`);
    failures.push(...dateFailures);
  }
  if (failures.length) {
    console.log(`\n${failures.length} misses${VERBOSE ? ':' : ' (--verbose lists them)'}`);
    if (VERBOSE) for (const f of failures) console.log(`  ${f}`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
