/**
 * Channels in a whole run (feeds from a local news site, mail to a real SMTP server, the fake
 * platforms): a failing channel is reported in the run report and the CLI summary, never stops
 * the site or the mail, and the next run of the same day posts it once; an outage posts nothing.
 */
import { rm } from 'node:fs/promises';
import { formatSummary } from '../../src/cli/main';
import { parseConfig, type Config } from '../../src/config';
import { createChannelDeliverer, createDigestDeliverer } from '../../src/delivery';
import { chromeFor } from '../../src/i18n';
import { runDigest } from '../../src/pipeline';
import { FsStore, type Store } from '../../src/store';
import { subscriberIdFor, valueSecretLoader, writeSubscriber } from '../../src/subscriptions';
import { startLocalSmtp, type LocalSmtp } from '../email/local-smtp';
import { paragraphsAbout, startNewsServer, type NewsServer } from '../helpers/news-server';
import { tempDir } from '../helpers/tmp';
import { DISCORD_PATH, SLACK_PATH, startFakePlatforms, type FakePlatforms } from './fake-platforms';

const SECRET = 'channels-secret-'.repeat(3);
const DAY = '2026-12-02';

describe('channels in a run', () => {
  let news: NewsServer;
  let smtp: LocalSmtp;
  let fake: FakePlatforms;
  let dir: string;
  let config: Config;
  let env: Record<string, string>;
  beforeEach(async () => {
    news = await startNewsServer([
      {
        path: '/world.xml',
        title: 'World Desk',
        items: [{ slug: 'bridge', title: 'Harbor bridge reopens', paragraphs: paragraphsAbout('The bridge reopening') }],
      },
    ]);
    smtp = await startLocalSmtp();
    fake = await startFakePlatforms();
    dir = await tempDir('channels-run-');
    config = parseConfig({
      feeds: [{ url: `${news.base}/world.xml` }],
      digest: { maxAgeHours: 0 },
      site: { url: 'https://digest.example.org/' },
      network: { allowHosts: [news.hostPort] },
      email: { transport: 'smtp', smtp: { host: smtp.host, port: smtp.port } },
      channels: [
        { kind: 'slack', id: 'newsroom', urlEnv: 'RUN_SLACK_URL' },
        { kind: 'discord', urlEnv: 'RUN_DISCORD_URL' },
      ],
    });
    env = { RUN_SLACK_URL: `${fake.base}${SLACK_PATH}`, RUN_DISCORD_URL: `${fake.base}${DISCORD_PATH}` };
  });
  afterEach(async () => {
    await news.close();
    await smtp.close();
    await fake.close();
    await rm(dir, { recursive: true, force: true });
  });

  const run = (store: Store) =>
    runDigest({
      config,
      store,
      date: DAY,
      deliver: createDigestDeliverer({ config, store, secret: valueSecretLoader(SECRET) }),
      deliverChannels: createChannelDeliverer({ config, store, env }),
    });

  it('a failing channel is reported and posted by the next run, while the site and the mail go out', async () => {
    const store = new FsStore(dir);
    await writeSubscriber(store, {
      version: 1,
      id: subscriberIdFor(Buffer.from(SECRET), 'ann@example.org'),
      address: 'ann@example.org',
      status: 'confirmed',
      createdAt: '2026-11-01T00:00:00.000Z',
      updatedAt: '2026-11-01T00:00:00.000Z',
      confirmationsSent: 1,
    });
    fake.failNext('slack', { status: 500 });

    const first = await run(store);
    expect(await store.get(`site/2026/12/02/index.html`)).toBeDefined();
    expect(first.publish.delivery).toMatchObject({ sent: 1, failed: 0 });
    await smtp.waitFor(1);
    expect(first.publish.channels).toMatchObject({ attempted: 2, sent: 1, failed: 1, skipped: 0 });
    const printed = formatSummary(first);
    expect(printed).toContain('  channels: 1 posted, 1 failed (tried again on the next run), 0 already posted');
    expect(printed).toContain('  ✗ channel-newsroom: slack: HTTP 500: upstream error for POST ***');
    expect(printed).not.toContain('slack-secret-token');
    // The run report keeps the channel's failure, without its secret.
    const reports = (await store.list(`state/runs/${DAY}/`)).filter((k) => /\/publish-/.test(k));
    const saved = (await store.get(reports[0]))!.toString('utf8');
    expect(JSON.parse(saved).channels.errors).toEqual([
      { target: 'channel-newsroom', message: 'slack: HTTP 500: upstream error for POST ***' },
    ]);
    expect(saved).not.toContain('secret-token');

    const second = await run(store);
    expect(second.publish.channels).toEqual({
      attempted: 1,
      sent: 1,
      failed: 0,
      skipped: 1,
      skippedBy: { 'sent-already': 1 },
      errors: [],
    });
    expect(second.publish.delivery).toMatchObject({ sent: 0, skipped: 1 });
    expect(fake.accepted('slack')).toHaveLength(1);
    expect(fake.accepted('discord')).toHaveLength(1);
    expect(formatSummary(second)).toContain('  channels: 1 posted, 0 failed, 1 already posted');
    const slackText = JSON.stringify(fake.accepted('slack')[0].body);
    expect(slackText).toContain('Harbor bridge reopens');
    expect(slackText).toContain('https://digest.example.org/2026/12/02/');
  });

  it("posts in the digest's own language (digest.lang)", async () => {
    config = parseConfig({ ...config, digest: { ...config.digest, lang: 'ar' } });
    const summary = await run(new FsStore(dir));
    expect(summary.publish.channels).toMatchObject({ sent: 2, failed: 0 });
    const ar = chromeFor('ar');
    for (const platform of ['slack', 'discord'] as const) {
      const text = JSON.stringify(fake.accepted(platform)[0]!.body);
      expect(text).toContain(ar.text('postReadAll'));
      expect(text).not.toContain(chromeFor('en').text('postReadAll'));
    }
  });

  it('an outage posts nothing', async () => {
    news.down = true;
    const summary = await run(new FsStore(dir));
    expect(summary.outage).toBeDefined();
    expect(summary.publish.channels).toBeUndefined();
    expect(fake.received).toHaveLength(0);
  });
});
