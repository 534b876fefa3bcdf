/**
 * The subscribe Lambda handler with API Gateway HTTP API (v2) events, over a real
 * S3-compatible server (s3rver) and the outbox mailer writing into the bucket.
 */
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, SNSEvent } from 'aws-lambda';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { logger } from '../../lambdas/deployment';
import { handler, resetForTests } from '../../lambdas/subscribe';
import { serializeDeployedConfig } from '../../lambdas/environment';
import { parseConfig } from '../../src/config';
import { preferencesToken, subscriberIdFor, subscriberKey, unsubscribeToken } from '../../src/subscriptions';
import { startLocalS3, type LocalS3 } from '../helpers/s3';
import { tempDir } from '../helpers/tmp';

const BUCKET = 'subscribe-lambda';

const event = (
  method: string,
  rawPath: string,
  options: { query?: string; body?: string; base64?: boolean; headers?: Record<string, string> } = {},
): APIGatewayProxyEventV2 =>
  ({
    version: '2.0',
    routeKey: `${method} ${rawPath}`,
    rawPath,
    rawQueryString: options.query ?? '',
    headers: { host: 'abc.execute-api.eu-west-1.amazonaws.com', ...options.headers },
    requestContext: { http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'test' } },
    body: options.body === undefined ? undefined : options.base64 ? Buffer.from(options.body).toString('base64') : options.body,
    isBase64Encoded: !!options.base64,
  }) as unknown as APIGatewayProxyEventV2;

describe('lambdas/subscribe', () => {
  let s3: LocalS3;
  let dir: string;
  const saved = { ...process.env };

  beforeAll(async () => {
    s3 = await startLocalS3();
    await s3.createBucket(BUCKET);
    dir = await tempDir('subscribe-lambda-');
    const configFile = path.join(dir, 'config.json');
    await writeFile(
      configFile,
      serializeDeployedConfig(
        parseConfig({
          feeds: [
            { url: 'https://news.example.org/feed.xml', category: 'World' },
            { url: 'https://lab.example.org/feed.xml', category: 'Science' },
          ],
          digest: { title: 'Lambda Digest' },
          store: { kind: 's3', bucket: BUCKET, endpoint: s3.endpoint, forcePathStyle: true, region: 'us-east-1' },
          email: { from: 'Lambda Digest <digest@example.org>', maxSignupsPerClientPerHour: 2 },
        }),
      ),
    );
    Object.assign(process.env, {
      RSS_DIGEST_CONFIG_FILE: configFile,
      RSS_DIGEST_BUCKET: BUCKET,
      RSS_DIGEST_SITE_URL: 'https://d111.cloudfront.net',
      RSS_DIGEST_TOKEN_SECRET: 'lambda-test-secret-'.repeat(3),
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      AWS_REGION: 'us-east-1',
    });
    logger.setLogLevel('SILENT');
    resetForTests();
  });
  afterAll(async () => {
    process.env = saved;
    resetForTests();
    await s3.close();
    await rm(dir, { recursive: true, force: true });
  });

  const keys = async (prefix: string): Promise<string[]> =>
    ((await s3.client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }))).Contents ?? [])
      .map((o) => o.Key!)
      .sort();
  const object = async (key: string): Promise<Buffer> =>
    Buffer.from(await (await s3.client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body!.transformToByteArray());

  it('subscribes from a base64 form body and confirms through the link in the mail', async () => {
    const res = await handler(
      event('POST', '/api/subscribe', {
        body: 'email=lambda%40example.org',
        base64: true,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      }),
    );
    expect(res.statusCode).toBe(202);
    expect(res.headers?.['content-type']).toBe('text/html; charset=utf-8');

    const [outboxKey] = await keys('state/outbox/confirmations/');
    expect(outboxKey).toMatch(/\.eml$/);
    const mail = await simpleParser(await object(outboxKey));
    const link = new URL((mail.text ?? '').match(/https:\/\/d111\.cloudfront\.net\/api\/confirm\?token=[\w.-]+/)![0]);

    // The link shows a button; the form posts the token back (as a base64 form body, as API Gateway delivers it).
    const prompt = await handler(event('GET', link.pathname, { query: link.search.slice(1) }));
    expect([prompt.statusCode, prompt.body]).toEqual([200, expect.stringContaining('Confirm subscription')]);
    const confirmed = await handler(
      event('POST', link.pathname, {
        body: `token=${link.searchParams.get('token')}`,
        base64: true,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      }),
    );
    expect(confirmed.statusCode).toBe(200);
    expect(confirmed.body).toContain('You are subscribed');
    const [recordKey] = await keys('state/subscribers/');
    expect(JSON.parse((await object(recordKey)).toString())).toMatchObject({
      status: 'confirmed',
      address: 'lambda@example.org',
    });
  });

  it("shows and saves a reader's choices through /api/preferences; an unsubscribe token changes nothing there", async () => {
    const secret = Buffer.from('lambda-test-secret-'.repeat(3));
    const id = subscriberIdFor(secret, 'prefs@example.org');
    const record = {
      version: 1,
      id,
      address: 'prefs@example.org',
      status: 'confirmed',
      createdAt: '2026-11-01T00:00:00.000Z',
      updatedAt: '2026-11-01T00:00:00.000Z',
      confirmationsSent: 1,
    };
    await s3.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: subscriberKey(id), Body: JSON.stringify(record) }));
    const token = preferencesToken(secret, id, new Date());

    const page = await handler(event('GET', '/api/preferences', { query: `token=${token}` }));
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('value="Science"');
    expect(JSON.parse((await object(subscriberKey(id))).toString())).toEqual(record);

    const wrong = await handler(
      event('POST', '/api/preferences', {
        query: `token=${unsubscribeToken(secret, id, new Date())}`,
        body: 'categories=Science',
        base64: true,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      }),
    );
    expect(wrong.statusCode).toBe(400);
    expect(JSON.parse((await object(subscriberKey(id))).toString())).toEqual(record);

    const saved = await handler(
      event('POST', '/api/preferences', {
        query: `token=${token}`,
        body: 'categories=Science&frequency=weekly&weekday=sunday&maxStories=12',
        base64: true,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      }),
    );
    expect(saved.statusCode).toBe(200);
    expect(JSON.parse((await object(subscriberKey(id))).toString()).preferences).toEqual({
      categories: ['Science'],
      frequency: 'weekly',
      weekday: 'sunday',
      maxStories: 12,
    });
  });

  it('ends the subscription on an SES complaint (SNS event), not on a transient bounce', async () => {
    const sns = (message: unknown): SNSEvent =>
      ({
        Records: [
          {
            EventSource: 'aws:sns',
            EventVersion: '1.0',
            EventSubscriptionArn: 'arn',
            Sns: { MessageId: 'm1', Message: JSON.stringify(message) },
          },
        ],
      }) as unknown as SNSEvent;
    const [recordKey] = await keys('state/subscribers/');
    const transient = await handler(
      sns({
        eventType: 'Bounce',
        bounce: { bounceType: 'Transient', bouncedRecipients: [{ emailAddress: 'lambda@example.org' }] },
      }),
    );
    expect(transient).toEqual({ removed: 0, ignored: 1 });
    expect(JSON.parse((await object(recordKey)).toString())).toMatchObject({ status: 'confirmed' });

    const complaint = await handler(
      sns({
        eventType: 'Complaint',
        complaint: {
          complainedRecipients: [{ emailAddress: 'Lambda <LAMBDA@Example.org>' }, { emailAddress: 'stranger@example.org' }],
        },
      }),
    );
    expect(complaint).toEqual({ removed: 1, ignored: 1 });
    const after = JSON.parse((await object(recordKey)).toString());
    expect(after).toMatchObject({ status: 'unsubscribed', unsubscribeReason: 'complaint' });
    expect(after.address).toBeUndefined();
  });

  it('counts sign-ups per API Gateway sourceIp, never per X-Forwarded-For', async () => {
    const subscribe = (email: string, sourceIp: string, forwardedFor: string): Promise<APIGatewayProxyStructuredResultV2> => {
      const request = event('POST', '/api/subscribe', {
        body: `email=${email}`,
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': forwardedFor },
      });
      request.requestContext.http.sourceIp = sourceIp;
      return handler(request);
    };
    const statuses = [
      (await subscribe('x1%40example.org', '198.51.100.7', '203.0.113.1')).statusCode,
      (await subscribe('x2%40example.org', '198.51.100.7', '203.0.113.2')).statusCode,
      (await subscribe('x3%40example.org', '198.51.100.7', '203.0.113.3')).statusCode,
      // Another source claiming to forward for the limited one is its own client.
      (await subscribe('x4%40example.org', '198.51.100.8', '198.51.100.7')).statusCode,
    ];
    expect(statuses).toEqual([202, 202, 429, 202]);
  });

  it('refuses oversized and malformed requests before touching the bucket', async () => {
    const before = await keys('state/');
    const big = await handler(
      event('POST', '/api/subscribe', {
        body: 'x'.repeat(100_000),
        base64: true,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      }),
    );
    expect(big.statusCode).toBe(413);
    const json = await handler(
      event('POST', '/api/subscribe', {
        body: '{"email":"a@b"}',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
      }),
    );
    expect(json.statusCode).toBe(400);
    expect(JSON.parse(json.body as string)).toMatchObject({ ok: false, code: 'invalid-address' });
    expect((await handler(event('DELETE', '/api/unsubscribe'))).statusCode).toBe(405);
    expect(await keys('state/')).toEqual(before);
  });
});
