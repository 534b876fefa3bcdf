/**
 * One story per event through the whole pipeline: three outlets' feeds on a local server carry the
 * same events (English, Arabic, Japanese); the digest has one story per event with every source
 * and its link, on the page and in the mail; on day 2 an article that adds news is an update of
 * the day-1 story, and one that retells it is folded into it.
 */
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { load } from 'cheerio';
import { parseConfig } from '../../src/config';
import { renderDigestEmail } from '../../src/email/digest-email';
import { runDigest } from '../../src/pipeline';
import { storyMemoryKey, type StoryMemoryDay } from '../../src/pipeline/stories';
import { FsStore, getJson } from '../../src/store';
import type { Digest } from '../../src/types';
import { ARABIC, ENGLISH, JAPANESE, type FixtureArticle } from '../fixtures/cluster/events';
import { startServer, type LocalServer } from '../http/local-server';
import { tempDir } from '../helpers/tmp';

const escapeXml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Day 2: news on the Hualien quake (a new toll, new places, new numbers), and a retelling of the Izmir one. */
const DAY2: FixtureArticle[] = [
  {
    id: 'en-hualien-update',
    event: 'hualien-quake',
    source: 'Pacific Wire',
    lang: 'en',
    publishedAt: '2026-03-03T06:00:00Z',
    title: 'Hualien earthquake death toll rises to nine as rescuers reach Taroko Gorge hikers',
    text: 'The death toll from Monday’s magnitude 6.4 earthquake in Hualien rose to nine on Tuesday after rescuers reached a group of hikers trapped by rockfalls in Taroko National Park. Premier Cho Jung-tai visited the tilted hotel and promised 300 million Taiwan dollars for repairs. Rescue teams from Taichung and Kaohsiung used drones to search the Shakadang Trail, where 64 hikers were lifted out by helicopter. Schools across Hualien County will stay closed until Thursday.',
  },
  {
    id: 'en-izmir-retold',
    event: 'izmir-quake',
    source: 'Island Herald',
    lang: 'en',
    publishedAt: '2026-03-03T05:00:00Z',
    title: 'Izmir quake of 5.1 damaged old houses in Seferihisar, AFAD says',
    text: 'A magnitude 5.1 earthquake that hit Izmir province damaged old houses in Seferihisar, Turkey’s disaster agency AFAD said. Twelve people were lightly injured and there were no deaths. The quake struck off the Aegean coast at a depth of 10 kilometres, and Seferihisar’s schools were closed for checks.',
  },
];

const OUTLETS = [
  'Pacific Wire',
  'Island Herald',
  'Global Desk',
  'وكالة المغرب العربي',
  'صحيفة الشرق',
  'قناة النهار',
  '北陸新聞',
  '日本通信',
  '全国ニュース',
];
const slug = (name: string): string => `o${OUTLETS.indexOf(name)}`;

describe('stories across sources and days', () => {
  let server: LocalServer;
  let dir: string;
  let live: FixtureArticle[] = [];
  beforeAll(async () => {
    server = await startServer((req, res) => {
      const url = req.url ?? '';
      const feed = /^\/(o\d+)\/feed\.xml$/.exec(url);
      if (feed) {
        const items = live.filter((a) => slug(a.source) === feed[1]);
        const lang = items[0]?.lang ?? 'en';
        res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8' });
        res.end(
          `<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>${escapeXml(items[0]?.source ?? 'x')}</title><link>${server.origin}/</link><language>${lang}</language>${items
            .map(
              (a) =>
                `<item><title>${escapeXml(a.title)}</title><link>${server.origin}/${feed[1]}/${a.id}.html</link><guid>${a.id}</guid><pubDate>${new Date(a.publishedAt).toUTCString()}</pubDate><description>${escapeXml(a.text)}</description></item>`,
            )
            .join('')}</channel></rss>`,
        );
        return;
      }
      const page = /^\/(o\d+)\/([\w-]+)\.html$/.exec(url);
      const article = page && [...ENGLISH, ...ARABIC, ...JAPANESE, ...DAY2].find((a) => a.id === page[2]);
      if (article) {
        const dir = article.lang === 'ar' ? 'rtl' : 'ltr';
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(
          `<!doctype html><html lang="${article.lang}" dir="${dir}"><head><title>${escapeXml(article.title)}</title></head><body><article><h1>${escapeXml(article.title)}</h1>${article.text
            .split(/(?<=\.)\s+|(?<=。)/)
            .map((p) => `<p>${escapeXml(p)}</p>`)
            .join('')}</article></body></html>`,
        );
        return;
      }
      res.writeHead(404).end();
    });
  });
  afterAll(() => server.close());
  beforeEach(async () => {
    dir = await tempDir('stories-');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const config = () =>
    parseConfig({
      feeds: OUTLETS.map((name) => ({ url: `${server.origin}/${slug(name)}/feed.xml`, name })),
      digest: { title: 'Clustered', timezone: 'UTC', maxAgeHours: 0 },
      network: { allowHosts: [server.hostPort], timeoutMs: 5000 },
      site: { url: 'https://digest.example' },
    });
  const readDigest = async (date: string): Promise<Digest> =>
    JSON.parse(await readFile(path.join(dir, 'site', ...date.split('-'), 'digest.json'), 'utf8')) as Digest;

  it('makes one story per event in each language, listing every source with its link on the page and in the mail, and marks a day-2 update', async () => {
    const store = new FsStore(dir);
    live = [...ENGLISH, ...ARABIC, ...JAPANESE];
    await runDigest({ config: config(), store, date: '2026-03-02', now: () => new Date('2026-03-02T20:00:00Z') });
    const day1 = await readDigest('2026-03-02');

    // Six events, six stories; the three-source ones list all three outlets with their own articles.
    expect(day1.stories).toHaveLength(6);
    const hualien = day1.stories.find((s) => s.sources.some((x) => x.url?.endsWith('/en-hualien-1.html')))!;
    expect(hualien.clusterSize).toBe(3);
    expect(hualien.sources.map((s) => s.name).sort()).toEqual(['Global Desk', 'Island Herald', 'Pacific Wire']);
    for (const s of hualien.sources)
      expect(s).toEqual(
        expect.objectContaining({
          url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/o\d\/en-hualien-\d\.html$/),
          title: expect.any(String),
          publishedAt: expect.any(String),
        }),
      );
    const tunisia = day1.stories.find((s) => s.sources.some((x) => x.url?.endsWith('/ar-tunisia-1.html')))!;
    expect(tunisia).toMatchObject({ lang: 'ar', dir: 'rtl', clusterSize: 3 });
    const noto = day1.stories.find((s) => s.sources.some((x) => x.url?.endsWith('/ja-noto-1.html')))!;
    expect(noto).toMatchObject({ lang: 'ja', clusterSize: 3 });
    // The summary draws on the cluster without saying one fact twice.
    expect(new Set(hualien.summary).size).toBe(hualien.summary.length);
    expect(hualien.summary.length).toBeGreaterThan(1);

    // The page lists every source with its link, the Arabic story right-to-left.
    const $ = load(await readFile(path.join(dir, 'site', '2026', '03', '02', 'index.html'), 'utf8'));
    const pageStory = $('article').filter((_, a) => $(a).find('h3').text() === hualien.title);
    expect(pageStory.find('details.src summary').text()).toMatch(/^3 sources: /);
    expect(
      pageStory
        .find('details.src li a')
        .map((_, a) => $(a).attr('href'))
        .get()
        .sort(),
    ).toEqual(hualien.sources.map((s) => s.url).sort());
    const arabicStory = $('article').filter((_, a) => $(a).find('h3').text() === tunisia.title);
    expect(arabicStory.attr('dir')).toBe('rtl');
    expect(arabicStory.find('details.src li')).toHaveLength(3);

    // So does the mail, in both parts.
    const mail = renderDigestEmail(day1, {
      webUrl: 'https://digest.example/2026/03/02/',
      unsubscribeUrl: 'https://digest.example/u',
      siteUrl: 'https://digest.example/',
    });
    for (const s of hualien.sources) {
      expect(mail.text).toContain(s.url);
      expect(load(mail.html)(`details a[href="${s.url}"]`)).toHaveLength(1);
    }
    expect(mail.text).toContain('3 sources: ');

    // Day 2: the Hualien news is an update of day 1's story; the Izmir retelling is folded into its story.
    live = DAY2;
    const run2 = await runDigest({ config: config(), store, date: '2026-03-03', now: () => new Date('2026-03-03T20:00:00Z') });
    const day2 = await readDigest('2026-03-03');
    expect(day2.stories.map((s) => s.title)).toEqual([DAY2[0].title]);
    expect(day2.stories[0].updateOf).toEqual({ id: hualien.id, date: '2026-03-02' });
    expect(day2.stories[0].summary.join(' ')).toMatch(/nine|Taroko|hikers/);
    expect(run2.publish.stories).toMatchObject({ updates: 1, folded: 1, memoryErrors: [] });
    const memory = await getJson<StoryMemoryDay>(store, storyMemoryKey('2026-03-03'));
    const izmir = day1.stories.find((s) => s.sources.some((x) => x.url?.endsWith('/en-izmir-1.html')))!;
    expect(memory?.folded).toEqual([
      {
        earlier: { id: izmir.id, date: '2026-03-02' },
        sources: [expect.objectContaining({ name: 'Island Herald', title: DAY2[1].title })],
      },
    ]);
    const page2 = load(await readFile(path.join(dir, 'site', '2026', '03', '03', 'index.html'), 'utf8'));
    expect(page2('article h3 .up').text()).toBe('Update:');
    expect(
      renderDigestEmail(day2, {
        webUrl: 'https://digest.example/2026/03/03/',
        unsubscribeUrl: 'https://digest.example/u',
        siteUrl: 'https://digest.example/',
      }).text,
    ).toContain(`Update: ${DAY2[0].title}`);
  }, 60_000);

  it('keeps one story per article when digest.cluster.enabled is false', async () => {
    const store = new FsStore(dir);
    live = ENGLISH;
    const cfg = config();
    cfg.digest.cluster.enabled = false;
    await runDigest({ config: cfg, store, date: '2026-03-02', now: () => new Date('2026-03-02T20:00:00Z') });
    const digest = await readDigest('2026-03-02');
    expect(digest.stories).toHaveLength(ENGLISH.length);
    for (const s of digest.stories) expect(s.clusterSize).toBe(1);
  }, 60_000);
});
