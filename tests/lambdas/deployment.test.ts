/** The small pure pieces of the handlers: which day an event means, which failures are retried. */
import { dateOfEvent } from '../../lambdas/fetch';
import { classifyFailure, emitPublishedMetric, TransientError } from '../../lambdas/deployment';
import { DEPLOY_ENV, TRANSIENT_ERROR_NAME } from '../../lib/environment';
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
