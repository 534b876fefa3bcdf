/** The small pure pieces of the handlers: which day an event means, which failures are retried. */
import { dateOfEvent } from '../../lambdas/fetch';
import { classifyFailure, emitPublishedMetric, summarizerEnvironment, TransientError } from '../../lambdas/deployment';
import { parseConfig } from '../../src/config';
import { DEPLOY_ENV, TRANSIENT_ERROR_NAME } from '../../lambdas/environment';
import { TOKEN_SECRET_ENV } from '../../src/subscriptions/secret';

describe('dateOfEvent', () => {
  const now = new Date('2026-11-29T12:00:00Z');

  test('the scheduled instant decides the day, in the digest zone (a late retry keeps the date)', () => {
    expect(dateOfEvent({ scheduledTime: '2026-03-29T06:00:00Z' }, 'Europe/London', now)).toBe('2026-03-29');
    // 07:00 in Tokyo is 22:00 UTC the day before.
    expect(dateOfEvent({ scheduledTime: '2026-03-28T22:00:00Z' }, 'Asia/Tokyo', now)).toBe('2026-03-29');
  });

  test('an explicit date wins; no date means today in the zone', () => {
    expect(dateOfEvent({ date: '2026-01-02', scheduledTime: '2026-03-29T06:00:00Z' }, 'UTC', now)).toBe('2026-01-02');
    expect(dateOfEvent({}, 'Pacific/Kiritimati', now)).toBe('2026-11-30');
  });

  test('malformed input is refused by name', () => {
    expect(() => dateOfEvent({ date: '2026-02-30' }, 'UTC', now)).toThrow(expect.objectContaining({ name: 'InvalidEventError' }));
    expect(() => dateOfEvent({ scheduledTime: 'soon' }, 'UTC', now)).toThrow(
      expect.objectContaining({ name: 'InvalidEventError' }),
    );
  });
});

describe('classifyFailure', () => {
  const sdkError = (name: string, status: number): Error =>
    Object.assign(new Error(`${name} happened`), { name, $metadata: { httpStatusCode: status } });

  test('throttling, 5xx and dropped sockets become TransientError, which the state machine retries', () => {
    for (const err of [
      sdkError('SlowDown', 503),
      sdkError('InternalError', 500),
      Object.assign(new Error('reset'), { code: 'ECONNRESET' }),
    ]) {
      const out = classifyFailure(err);
      expect(out).toBeInstanceOf(TransientError);
      expect(out.name).toBe('TransientError');
    }
    expect(TRANSIENT_ERROR_NAME).toBe('TransientError');
  });

  test('anything else keeps its name and is not retried', () => {
    const denied = sdkError('AccessDenied', 403);
    expect(classifyFailure(denied)).toBe(denied);
  });
});

test('the published-digest metric is one EMF line in the stack namespace, and nothing without one', () => {
  const lines: string[] = [];
  emitPublishedMetric(7, { [DEPLOY_ENV.metricsNamespace]: 'RssDigest/Stack' }, (l) => lines.push(l));
  emitPublishedMetric(7, {}, (l) => lines.push(l));
  expect(lines).toHaveLength(1);
  const emf = JSON.parse(lines[0]) as {
    _aws: { CloudWatchMetrics: { Namespace: string }[] };
    DigestsPublished: number;
    Stories: number;
  };
  expect(emf._aws.CloudWatchMetrics[0].Namespace).toBe('RssDigest/Stack');
  expect(emf).toMatchObject({ DigestsPublished: 1, Stories: 7 });
});

test('the stack and the subscriptions module agree on the token-secret variable', () => {
  expect(DEPLOY_ENV.tokenSecretId).toBe(TOKEN_SECRET_ENV.secretsManagerId);
});

describe('summarizerEnvironment (the OpenAI key, read by name at start)', () => {
  const config = (apiKeySecret?: string) =>
    parseConfig({
      summarizer: {
        kind: 'openai',
        baseUrl: 'https://api.openai.com/v1',
        model: 'gpt-4o-mini',
        apiKeyEnv: 'OPENAI_API_KEY',
        apiKeySecret,
      },
    });
  const recording = <T>(answer: T) => {
    const calls: unknown[] = [];
    return { calls, client: { send: async (command: { input: unknown }) => (calls.push(command.input), answer) } };
  };

  test('from Secrets Manager by name, into the variable apiKeyEnv names (the process environment untouched)', async () => {
    const secrets = recording({ SecretString: ' sk-from-secrets-manager \n' });
    const env = await summarizerEnvironment(
      config('openai-api-key'),
      { AWS_REGION: 'eu-west-1' },
      { secretsManager: secrets.client },
    );
    expect(env).toEqual({ AWS_REGION: 'eu-west-1', OPENAI_API_KEY: 'sk-from-secrets-manager' });
    expect(secrets.calls).toEqual([{ SecretId: 'openai-api-key' }]);
    expect(process.env.OPENAI_API_KEY).toBeUndefined();
  });

  test('from an SSM SecureString, decrypted', async () => {
    const ssm = recording({ Parameter: { Value: 'sk-from-ssm' } });
    const env = await summarizerEnvironment(config('ssm:/rss-digest/openai-key'), {}, { ssm: ssm.client });
    expect(env.OPENAI_API_KEY).toBe('sk-from-ssm');
    expect(ssm.calls).toEqual([{ Name: '/rss-digest/openai-key', WithDecryption: true }]);
  });

  test('a key already in the environment, or no secret named: nothing is read', async () => {
    const secrets = recording({ SecretString: 'unused' });
    expect(
      await summarizerEnvironment(config('openai-api-key'), { OPENAI_API_KEY: 'sk-set' }, { secretsManager: secrets.client }),
    ).toEqual({
      OPENAI_API_KEY: 'sk-set',
    });
    expect(await summarizerEnvironment(config(), {}, { secretsManager: secrets.client })).toEqual({});
    expect(secrets.calls).toHaveLength(0);
  });

  test('an empty secret stops the run with its name, not a value', async () => {
    const secrets = recording({ SecretString: '  ' });
    await expect(summarizerEnvironment(config('openai-api-key'), {}, { secretsManager: secrets.client })).rejects.toThrow(
      "The summarizer's API key at openai-api-key is empty",
    );
  });
});
