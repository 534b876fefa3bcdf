/**
 * The channels' side of delivery against the local fake platforms: who holds each claim (this
 * process and call, never another deliverer's), what the done claim keeps, secrets read from the
 * process environment by default, a store failure reported under the channel's kind with any
 * signed URL redacted, and no deliverer at all without channels.
 */
import { rm } from 'node:fs/promises';
import { parseConfig, type ChannelConfig } from '../../src/config';
import { createChannelDeliverer, deliverToChannels, deliveryKey } from '../../src/delivery';
import { FsStore, getJson, type PutOptions } from '../../src/store';
import type { ClaimRecord } from '../../src/store/claims';
import type { Digest } from '../../src/types';
import { StoreWrapper } from '../helpers/store-wrapper';
import { tempDir } from '../helpers/tmp';
import { SLACK_PATH, startFakePlatforms, type FakePlatforms } from './fake-platforms';

const DATE = '2026-12-06';
const NOW = new Date('2026-12-06T07:00:00.000Z');

const day = (stories = 3): Digest => ({
  version: 1,
  title: 'Morning Digest',
  date: DATE,
  timezone: 'UTC',
  generatedAt: '2026-12-06T07:00:00.000Z',
  stories: Array.from({ length: stories }, (_, i) => ({
    id: `s${i}`,
    title: `Story ${i}: harbor bridge reopens`,
    url: `https://news.example.org/${i}`,
    source: 'City Desk',
    sources: [{ name: 'City Desk', feedUrl: 'https://news.example.org/feed.xml' }],
    lang: 'en',
    dir: 'ltr',
    publishedAt: '2026-12-06T06:00:00.000Z',
    summary: ['The bridge reopened to traffic on Monday.'],
    summaryKind: 'extractive',
    contentSource: 'page',
    readingMinutes: 3,
    wordCount: 600,
  })),
  feeds: [],
  stats: { feedsOk: 1, feedsFailed: 0, feedsNotModified: 0, articlesExtracted: stories, articlesFromFeed: 0, stories },
});

const SLACK_ENV = 'DELIVERY_TEST_SLACK_URL';

describe('delivering to chat channels', () => {
  let fake: FakePlatforms;
  let dir: string;
  let store: FsStore;
  let slack: ChannelConfig;
  beforeEach(async () => {
    fake = await startFakePlatforms();
    dir = await tempDir('channel-delivery-');
    store = new FsStore(dir);
    slack = parseConfig({ channels: [{ kind: 'slack', urlEnv: SLACK_ENV, maxStories: 2 }] }).channels[0];
  });
  afterEach(async () => {
    delete process.env[SLACK_ENV];
    await fake.close();
    await rm(dir, { recursive: true, force: true });
  });

  const env = (): Record<string, string> => ({ [SLACK_ENV]: `${fake.base}${SLACK_PATH}` });
  const claimOf = (id: string) => getJson<ClaimRecord>(store, deliveryKey(DATE, `channel-${id}`));

  it('gives no deliverer for a config without channels', () => {
    expect(createChannelDeliverer({ config: parseConfig({}), store })).toBeUndefined();
  });

  it('claims each channel for this call of this process, and keeps what was posted in the done claim', async () => {
    const report = await deliverToChannels(day(), {
      channels: [slack],
      store,
      siteUrl: 'https://digest.example.org',
      lang: 'en',
      env: env(),
      now: () => NOW,
    });
    expect(report).toEqual({ attempted: 1, sent: 1, failed: 0, skipped: 0, errors: [] });
    const claim = await claimOf('slack');
    expect(claim).toMatchObject({
      state: 'done',
      claimedAt: '2026-12-06T07:00:00.000Z',
      completedAt: '2026-12-06T07:00:00.000Z',
      result: { kind: 'slack', stories: 2 },
    });
    expect(claim!.owner).toMatch(new RegExp(`^channels-${process.pid}-2026-12-06T07:00:00\\.000Z-[0-9a-f]{8}$`));

    // Another call in the same process at the same instant is another owner: it does not take the claim as its own.
    const other = new FsStore(`${dir}-other`);
    try {
      await deliverToChannels(day(), {
        channels: [slack],
        store: other,
        siteUrl: 'https://digest.example.org',
        lang: 'en',
        env: env(),
        now: () => NOW,
      });
      const otherClaim = await getJson<ClaimRecord>(other, deliveryKey(DATE, 'channel-slack'));
      expect(otherClaim!.owner).toMatch(/^channels-\d+-2026-12-06T07:00:00\.000Z-[0-9a-f]{8}$/);
      expect(otherClaim!.owner).not.toBe(claim!.owner);
    } finally {
      await rm(`${dir}-other`, { recursive: true, force: true });
    }
  });

  it("uses the deliverer's clock for the claims", async () => {
    const deliver = createChannelDeliverer({
      config: parseConfig({ site: { url: 'https://digest.example.org/' }, channels: [{ kind: 'slack', urlEnv: SLACK_ENV }] }),
      store,
      env: env(),
      now: () => NOW,
    })!;
    expect(await deliver(day())).toMatchObject({ sent: 1 });
    expect(await claimOf('slack')).toMatchObject({ state: 'done', claimedAt: '2026-12-06T07:00:00.000Z' });
  });

  it('reads the secrets from the process environment when no env is given', async () => {
    process.env[SLACK_ENV] = `${fake.base}${SLACK_PATH}`;
    const report = await deliverToChannels(day(), {
      channels: [slack],
      store,
      siteUrl: 'https://digest.example.org',
      lang: 'en',
      now: () => NOW,
    });
    expect(report).toMatchObject({ sent: 1, failed: 0 });
    expect(fake.accepted('slack')).toHaveLength(1);
  });

  it('posts nothing and claims nothing when there is no channel', async () => {
    const report = await deliverToChannels(day(), { channels: [], store, siteUrl: 'https://digest.example.org', lang: 'en' });
    expect(report).toEqual({ attempted: 0, sent: 0, failed: 0, skipped: 0, errors: [] });
    expect(await store.list(`state/runs/${DATE}/`)).toEqual([]);
  });

  it("reports a claim the store refuses under the channel's kind, with the signed URL in the error redacted", async () => {
    class Refusing extends StoreWrapper {
      override putIfAbsent(key: string, _body: Buffer | string, _options?: PutOptions): Promise<boolean> {
        return Promise.reject(
          new Error(
            `AccessDenied: PUT https://state.s3.amazonaws.com/${key}?X-Amz-Credential=AKIAEXAMPLE&X-Amz-Signature=0123abcd`,
          ),
        );
      }
    }
    const report = await deliverToChannels(day(), {
      channels: [slack],
      store: new Refusing(store),
      siteUrl: 'https://digest.example.org',
      lang: 'en',
      env: env(),
      now: () => NOW,
    });
    expect(report).toEqual({
      attempted: 0,
      sent: 0,
      failed: 1,
      skipped: 0,
      errors: [
        {
          target: 'channel-slack',
          message: `not sent: cannot claim the delivery: slack: AccessDenied: PUT https://state.s3.amazonaws.com/state/runs/${DATE}/deliveries/channel-slack.json?X-Amz-Credential=***&X-Amz-Signature=***`,
        },
      ],
    });
    expect(fake.received).toHaveLength(0);
  });
});
