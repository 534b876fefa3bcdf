/**
 * The stack, synthesized offline exactly as `npm run synth` does (buildApp + cdk-nag's AwsSolutions
 * pack, real esbuild bundling), then checked for the properties that matter. No AWS call anywhere.
 */
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildApp } from '../../lib/app';
import type { DigestStack } from '../../lib/digest-stack';
import { DEPLOY_ENV, DEPLOYED_CONFIG_FORMAT, STORE_ACCESS, type StoreAccess } from '../../lambdas/environment';
import { stateMachineDefinition } from '../helpers/state-machine';
import { tempDir } from '../helpers/tmp';

const EXAMPLE_CONFIG = path.join(__dirname, '..', '..', 'lib', 'example.config.yaml');

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

let outdir: string;
const scratchDirs: string[] = [];
/** A temporary folder removed after the file's tests. */
const scratch = async (): Promise<string> => {
  const dir = await tempDir('rss-digest-cdk-');
  scratchDirs.push(dir);
  return dir;
};
let stack: DigestStack;
let template: Template;
let resources: Resources;

const ofType = (type: string): [string, Resources[string]][] => Object.entries(resources).filter(([, r]) => r.Type === type);
const json = (value: unknown): string => JSON.stringify(value);

beforeAll(async () => {
  outdir = await scratch();
  const built = await buildApp({ configFile: EXAMPLE_CONFIG, appProps: { outdir } });
  stack = built.stack;
  // Throws "Validation failed" when cdk-nag reports an unacknowledged finding.
  built.app.synth();
  template = Template.fromStack(stack);
  resources = template.toJSON().Resources as Resources;
}, 120_000);

afterAll(() => {
  for (const dir of scratchDirs) rmSync(dir, { recursive: true, force: true });
});

describe('synthesis', () => {
  test('passes cdk-nag AwsSolutions: every finding is acknowledged with a reason', () => {
    // synth() above would have thrown on an unacknowledged finding; the report lists none either.
    const report = JSON.parse(readFileSync(path.join(outdir, 'validation-report.json'), 'utf8')) as {
      pluginReports: { summary: { status: string } }[];
    };
    expect(report.pluginReports.filter((r) => r.summary.status !== 'success')).toEqual([]);
  });

  test('cdk-nag is really watching: one unacknowledged resource fails the synth', async () => {
    const built = await buildApp({
      configFile: EXAMPLE_CONFIG,
      appProps: { outdir: await scratch(), context: { 'aws:cdk:bundling-stacks': [] } },
    });
    new Bucket(built.stack, 'UncheckedBucket');
    expect(() => built.app.synth()).toThrow(/AwsSolutions-S1[\s\S]*UncheckedBucket/);
  }, 60_000);

  test('IAM5 is acknowledged finding by finding: a grant* action family on an already granted prefix fails the synth', async () => {
    const built = await buildApp({
      configFile: EXAMPLE_CONFIG,
      appProps: { outdir: await scratch(), context: { 'aws:cdk:bundling-stacks': [] } },
    });
    // state/feeds/* is acknowledged for the fetch role; the s3:GetObject* family grantRead adds is not.
    built.stack.bucket.grantRead(built.stack.fetchFunction.role, 'state/feeds/*');
    expect(() => built.app.synth()).toThrow(/AwsSolutions-IAM5[\s\S]*Action::s3:GetObject\*/);
  }, 60_000);

  test('each function asset carries its bundle, the validated config and the lazily loaded language model', () => {
    const assets = readdirSync(outdir).filter((d) => d.startsWith('asset.') && existsSync(path.join(outdir, d, 'index.js')));
    expect(assets).toHaveLength(3);
    for (const asset of assets) {
      const dir = path.join(outdir, asset);
      const bundled = JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8')) as {
        format: string;
        config: { feeds: unknown[]; network: { concurrency: number } };
      };
      expect(bundled.format).toBe(DEPLOYED_CONFIG_FORMAT);
      expect(bundled.config.feeds).toHaveLength(3);
      // Defaults were filled in by parseConfig at synth time.
      expect(bundled.config.network.concurrency).toBe(16);
      expect(existsSync(path.join(dir, 'node_modules', 'tinyld', 'dist', 'tinyld.normal.node.js'))).toBe(true);
      expect(existsSync(path.join(dir, 'node_modules', 'rss-parser', 'index.js'))).toBe(true);
      expect(existsSync(path.join(dir, 'index.js.map'))).toBe(true);
    }
  });

  test('each deployed index.js is UTF-8 (Arabic and Hebrew not escaped to \\uXXXX) and within 1.5 MB', () => {
    // NodejsFunction drops its `charset` option; without --charset=utf8 the bundles carried thousands
    // of \u06xx escapes (six bytes for a two-byte letter) and fetch grew past 1.5 MB.
    const assets = readdirSync(outdir).filter((d) => d.startsWith('asset.') && existsSync(path.join(outdir, d, 'index.js')));
    expect(assets).toHaveLength(3);
    let rightToLeftLetters = 0;
    for (const asset of assets) {
      const code = readFileSync(path.join(outdir, asset, 'index.js'), 'utf8');
      expect(Buffer.byteLength(code)).toBeLessThanOrEqual(1.5 * 1024 * 1024);
      const raw = code.match(/[\u0590-\u06ff]/g)?.length ?? 0;
      const escaped = code.match(/\\u0[56][0-9a-f]{2}/gi)?.length ?? 0;
      expect(escaped).toBeLessThan(Math.max(1, raw));
      rightToLeftLetters += raw;
    }
    // The fetch and summarize bundles carry Arabic and Hebrew text (stop words, prefixes).
    expect(rightToLeftLetters).toBeGreaterThan(1000);
  });
});

describe('storage', () => {
  test('the store bucket is private, encrypted, TLS-only and versioned, with expiry per config', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({ Prefix: 'state/articles/', ExpirationInDays: 30, Status: 'Enabled' }),
          Match.objectLike({ Prefix: 'state/runs/', ExpirationInDays: 90, Status: 'Enabled' }),
          Match.objectLike({ Prefix: 'state/stories/', ExpirationInDays: 30, Status: 'Enabled' }),
          Match.objectLike({ NoncurrentVersionExpiration: { NoncurrentDays: 30 } }),
        ]),
      },
    });
    for (const [, bucket] of ofType('AWS::S3::Bucket')) {
      expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(json(bucket.Properties.BucketEncryption)).toContain('AES256');
    }
  });

  test('no bucket policy allows anyone but CloudFront (site/* only) and S3 log delivery', () => {
    for (const [, policy] of ofType('AWS::S3::BucketPolicy')) {
      const statements = (policy.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement;
      // TLS-only.
      expect(statements).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
      for (const st of statements.filter((s) => s.Effect === 'Allow')) {
        expect(json(st.Principal)).not.toContain('"*"');
        const principal = json(st.Principal);
        if (principal.includes('cloudfront')) {
          expect(st.Action).toBe('s3:GetObject');
          expect(json(st.Resource)).toMatch(/\/site\/\*"/);
          expect(json(st.Condition)).toContain('AWS:SourceArn');
        } else {
          expect(principal).toContain('logging.s3.amazonaws.com');
        }
      }
    }
  });
});

describe('site', () => {
  test('CloudFront serves only site/ through origin access control, HTTPS, compressed, index.html for folders', () => {
    template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: { OriginAccessControlOriginType: 's3', SigningBehavior: 'always', SigningProtocol: 'sigv4' },
    });
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultRootObject: 'index.html',
        // A missing key is a 403 from S3 behind OAC; readers get the published 404 page with status 404.
        CustomErrorResponses: [{ ErrorCode: 403, ResponseCode: 404, ResponsePagePath: '/404.html', ErrorCachingMinTTL: 300 }],
        Origins: Match.arrayWith([
          Match.objectLike({
            OriginPath: '/site',
            OriginAccessControlId: Match.anyValue(),
            S3OriginConfig: { OriginAccessIdentity: '' },
          }),
        ]),
        DefaultCacheBehavior: Match.objectLike({
          ViewerProtocolPolicy: 'redirect-to-https',
          Compress: true,
          FunctionAssociations: [Match.objectLike({ EventType: 'viewer-request' })],
          ResponseHeadersPolicyId: Match.anyValue(),
        }),
        CacheBehaviors: [Match.objectLike({ PathPattern: '/api/*', ViewerProtocolPolicy: 'redirect-to-https' })],
        Logging: Match.objectLike({ Prefix: 'cloudfront/' }),
      }),
    });
  });

  test('the folder rewrite maps "/x/" to "/x/index.html" and redirects "/x" to "/x/"', () => {
    const [, fn] = ofType('AWS::CloudFront::Function')[0];
    const code = fn.Properties.FunctionCode as string;
    const handler = new Function(`${code}; return handler;`)() as (e: unknown) => {
      uri?: string;
      statusCode?: number;
      headers?: Record<string, { value: string }>;
    };
    expect(handler({ request: { uri: '/' } }).uri).toBe('/index.html');
    expect(handler({ request: { uri: '/2026/03/29/' } }).uri).toBe('/2026/03/29/index.html');
    expect(handler({ request: { uri: '/feed.xml' } }).uri).toBe('/feed.xml');
    const redirect = handler({ request: { uri: '/2026/03/29' } });
    expect(redirect.statusCode).toBe(301);
    expect(redirect.headers?.location.value).toBe('/2026/03/29/');
  });

  test('strict security headers: CSP, HSTS, nosniff, no framing, referrer policy', () => {
    template.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: Match.objectLike({
        SecurityHeadersConfig: Match.objectLike({
          ContentSecurityPolicy: { ContentSecurityPolicy: Match.stringLikeRegexp("frame-ancestors 'none'"), Override: true },
          StrictTransportSecurity: Match.objectLike({ AccessControlMaxAgeSec: 63072000, IncludeSubdomains: true }),
          ContentTypeOptions: { Override: true },
          FrameOptions: { FrameOption: 'DENY', Override: true },
          ReferrerPolicy: { ReferrerPolicy: 'strict-origin-when-cross-origin', Override: true },
        }),
      }),
    });
    const csp = json(ofType('AWS::CloudFront::ResponseHeadersPolicy')[0][1].Properties);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("form-action 'self'");
    expect(csp).not.toContain('unsafe-inline');
  });
});

describe('daily run', () => {
  test('the schedule uses the config cron in its IANA zone and starts the state machine', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 7 * * ? *)',
      ScheduleExpressionTimezone: 'Europe/London',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: Match.objectLike({
        Arn: { Ref: Match.stringLikeRegexp('DailyRun') },
        Input: Match.stringLikeRegexp('aws.scheduler.scheduled-time'),
        RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 3 }),
      }),
    });
  });

  test('functions: arm64, Node.js 22, explicit memory and timeout, source maps, structured logs with retention', () => {
    const functions = ofType('AWS::Lambda::Function');
    expect(functions).toHaveLength(3);
    const byName = Object.fromEntries(functions.map(([id, fn]) => [id.replace(/Function.*$/, ''), fn.Properties]));
    expect(byName.Fetch).toMatchObject({ MemorySize: 1024, Timeout: 900 });
    expect(byName.Summarize).toMatchObject({ MemorySize: 1024, Timeout: 600 });
    expect(byName.Subscribe).toMatchObject({ MemorySize: 256, Timeout: 10 });
    for (const [, fn] of functions) {
      expect(fn.Properties).toMatchObject({ Architectures: ['arm64'], Runtime: 'nodejs22.x', Handler: 'index.handler' });
      const env = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(env).toMatchObject({
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: expect.stringMatching(/^rss-digest-/),
      });
      expect(env[DEPLOY_ENV.bucket]).toBeDefined();
      expect(env[DEPLOY_ENV.siteUrl]).toBeDefined();
      expect(fn.Properties.LoggingConfig).toEqual({ LogGroup: { Ref: expect.stringMatching(/Logs/) } });
    }
    for (const [, group] of ofType('AWS::Logs::LogGroup')) expect(group.Properties.RetentionInDays).toBeGreaterThan(0);
  });

  test('the state machine plans, fetches shards on a Distributed Map, merges, publishes; every failure is recorded', () => {
    const [, machine] = ofType('AWS::StepFunctions::StateMachine')[0];
    const definition = stateMachineDefinition(template.toJSON() as never, { bucket: 'store' });
    expect(definition.StartAt).toBe('Plan');
    const order: string[] = [];
    for (let name: string | undefined = definition.StartAt; name; name = definition.States[name].Next) order.push(name);
    expect(order).toEqual(['Plan', 'FetchShards', 'Merge', 'SummarizeAndPublish', 'Published']);
    const map = definition.States.FetchShards;
    expect(map.ItemProcessor?.ProcessorConfig).toEqual({ Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' });
    expect(map.ItemsPath).toBe('$.plan.shards');
    // A shard's failure or timeout is caught inside its item, so the map goes on.
    expect(map.ItemProcessor!.States.FetchShard.Catch).toEqual([
      { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'ShardFailed' },
    ]);
    for (const name of ['Plan', 'FetchShards', 'Merge', 'SummarizeAndPublish']) {
      // A timeout goes to the failure branch too (named first, then everything else).
      expect(definition.States[name].Catch?.map((c) => [c.ErrorEquals, c.Next])).toEqual([
        [['States.Timeout'], 'RecordFailure'],
        [['States.ALL'], 'RecordFailure'],
      ]);
    }
    for (const task of ['Plan', 'Merge', 'SummarizeAndPublish']
      .map((n) => definition.States[n])
      .concat(map.ItemProcessor!.States.FetchShard)) {
      expect(task.Retry?.[0].ErrorEquals).toEqual(
        expect.arrayContaining(['TransientError', 'Lambda.ServiceException', 'Lambda.TooManyRequestsException']),
      );
    }
    expect(json(machine.Properties.DefinitionString)).toContain('state/runs/failures/');
    expect(machine.Properties).toMatchObject({
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: expect.objectContaining({ Level: 'ALL', IncludeExecutionData: false }),
    });
  });

  test('timeouts and retries add up: every step fails before the execution times out', () => {
    const definition = stateMachineDefinition(template.toJSON() as never, { bucket: 'store' });
    const budget = stack.runBudget;
    const functions = Object.fromEntries(
      ofType('AWS::Lambda::Function').map(([id, f]) => [id.replace(/Function[0-9A-F]{8}$/, ''), f.Properties.Timeout as number]),
    );
    const map = definition.States.FetchShards;
    const steps = {
      Plan: definition.States.Plan,
      FetchShard: map.ItemProcessor!.States.FetchShard,
      Merge: definition.States.Merge,
      SummarizeAndPublish: definition.States.SummarizeAndPublish,
    };
    // Each task outlives its function's own timeout (Lambda's error is the one reported)...
    expect(steps.FetchShard.TimeoutSeconds).toBeGreaterThan(functions.Fetch);
    expect(steps.SummarizeAndPublish.TimeoutSeconds).toBeGreaterThan(functions.Summarize);
    // ...and every attempt of every step, every backoff at its longest, shard waves included, fits the execution.
    const worst = (s: (typeof steps)[keyof typeof steps]): number => {
      const r = s.Retry![0];
      let waits = 0;
      for (let k = 0; k < r.MaxAttempts!; k++) waits += r.IntervalSeconds! * Math.pow(r.BackoffRate!, k);
      return (r.MaxAttempts! + 1) * s.TimeoutSeconds! + waits;
    };
    const waves = Math.ceil(budget.shards / map.MaxConcurrency!);
    const total = worst(steps.Plan) + waves * worst(steps.FetchShard) + worst(steps.Merge) + worst(steps.SummarizeAndPublish);
    expect(definition.TimeoutSeconds).toBe(budget.executionSeconds);
    expect(budget.executionSeconds).toBeGreaterThan(total + budget.recordFailureSeconds);
    // The run lease the Plan takes lasts as long as the execution may.
    expect(steps.Plan.Parameters).toMatchObject({ leaseSeconds: budget.executionSeconds });
  });
});

describe('alarms', () => {
  test('run failed, run timed out, each function\'s errors and "no digest today" notify the operator', () => {
    const alarms = ofType('AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
    const metricNames = alarms.map((a) => a.MetricName);
    expect(metricNames).toEqual(expect.arrayContaining(['ExecutionsFailed', 'ExecutionsTimedOut', 'DigestsPublished']));
    expect(metricNames.filter((m) => m === 'Errors')).toHaveLength(3);
    for (const alarm of alarms) expect(json(alarm.AlarmActions)).toContain('Alarms');
    expect(alarms.find((a) => a.MetricName === 'DigestsPublished')).toMatchObject({
      Namespace: 'RssDigest/RssDigest',
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 1,
      Period: 3600,
      EvaluationPeriods: 26,
      DatapointsToAlarm: 26,
      TreatMissingData: 'breaching',
    });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
  });
});

describe('least privilege', () => {
  interface Statement {
    Effect: string;
    Action: string | string[];
    Resource: unknown;
    Condition?: Record<string, Record<string, unknown>>;
  }
  const policies = (): [string, { Statement: Statement[] }][] =>
    ofType('AWS::IAM::Policy').map(([id, p]) => [id, p.Properties.PolicyDocument as never]);
  const statementsOf = (prefix: string) => policies().find(([id]) => id.startsWith(prefix))![1].Statement;
  const actionsOf = (st: Statement): string[] => [st.Action].flat();
  const storeBucketId = (): string => ofType('AWS::S3::Bucket').find(([id]) => id.startsWith('Store'))![0];

  /** Every statement that applies to each role: inline policies and the policies attached to it. */
  const statementsByRole = (): Map<string, Statement[]> => {
    const byRole = new Map<string, Statement[]>();
    for (const [id, role] of ofType('AWS::IAM::Role')) {
      const inline = (role.Properties.Policies as { PolicyDocument: { Statement: Statement[] } }[] | undefined) ?? [];
      byRole.set(
        id,
        inline.flatMap((p) => p.PolicyDocument.Statement),
      );
    }
    for (const [, policy] of [...ofType('AWS::IAM::Policy'), ...ofType('AWS::IAM::ManagedPolicy')]) {
      const doc = policy.Properties.PolicyDocument as { Statement: Statement[] };
      for (const role of (policy.Properties.Roles as { Ref: string }[] | undefined) ?? [])
        byRole.get(role.Ref)!.push(...doc.Statement);
    }
    return byRole;
  };

  /**
   * A role's store permissions, one "action target" per (action, resource or s3:prefix value):
   * `s3:GetObject state/feeds/` for `<Store ARN>/state/feeds/*`, `s3:ListBucket state/feeds/` for
   * ListBucket on the bucket under `StringLike s3:prefix state/feeds/*`. Anything else (another
   * resource shape, a condition, a Deny, ListBucket without its condition) is spelled out as is, so
   * it can never equal an expected entry.
   */
  const storePermissionsOf = (statements: Statement[]): string[] => {
    const bucketArn = json({ 'Fn::GetAtt': [storeBucketId(), 'Arn'] });
    const out: string[] = [];
    for (const st of statements) {
      for (const action of actionsOf(st).filter((a) => a.startsWith('s3:'))) {
        const odd = (what: unknown): void => {
          out.push(`${action} ?${st.Effect} ${json(what)} ${json(st.Condition)}`);
        };
        if (st.Effect !== 'Allow') {
          odd(st.Resource);
          continue;
        }
        for (const resource of [st.Resource].flat()) {
          if (action === 's3:ListBucket') {
            const prefixes = st.Condition?.StringLike?.['s3:prefix'];
            const onlyPrefix =
              json(Object.keys(st.Condition ?? {})) === '["StringLike"]' && Object.keys(st.Condition!.StringLike).length === 1;
            if (json(resource) !== bucketArn || !onlyPrefix || !prefixes) odd(resource);
            else
              for (const p of [prefixes].flat() as string[])
                out.push(/^[a-z/]+\/\*$/.test(p) ? `${action} ${p.slice(0, -1)}` : `${action} ?${p}`);
            continue;
          }
          const parts = (resource as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join']?.[1];
          const objects = parts?.length === 2 && json(parts[0]) === bucketArn ? /^\/([a-z/]+\/)\*$/.exec(String(parts[1])) : null;
          if (!objects || st.Condition) odd(resource);
          else out.push(`${action} ${objects[1]}`);
        }
      }
    }
    return [...new Set(out)].sort();
  };

  /** What a function's STORE_ACCESS should become: ListBucket also where it reads (S3Store confirms a 403 by listing). */
  const expectedFrom = (...accesses: StoreAccess[]): string[] =>
    [
      ...new Set(
        accesses.flatMap((a) => [
          ...a.get.map((p) => `s3:GetObject ${p}`),
          ...a.put.map((p) => `s3:PutObject ${p}`),
          ...a.delete.map((p) => `s3:DeleteObject ${p}`),
          ...[...a.list, ...a.get].map((p) => `s3:ListBucket ${p}`),
        ]),
      ),
    ].sort();

  const roleOf = (name: string): string => {
    const ids = [...statementsByRole().keys()].filter((id) => id.startsWith(`${name}Role`));
    expect(ids).toHaveLength(1);
    return ids[0];
  };

  test('measured: each role holds exactly the store permissions STORE_ACCESS declares, and no other role any', () => {
    const roles = statementsByRole();
    const expected = new Map<string, string[]>([
      [roleOf('Fetch'), expectedFrom(STORE_ACCESS.fetch)],
      [roleOf('Summarize'), expectedFrom(STORE_ACCESS.summarize, STORE_ACCESS.summarizeMail)],
      [roleOf('Subscribe'), expectedFrom(STORE_ACCESS.subscribe)],
    ]);
    for (const [id, statements] of roles) {
      const actual = storePermissionsOf(statements);
      if (expected.has(id)) expect([id, actual]).toEqual([id, expected.get(id)]);
      // The state machine records a failed run; no other role (CDK's own helpers included) touches the store.
      else if (actual.length > 0)
        expect([id, actual]).toEqual([expect.stringMatching(/^DailyRunRole/), ['s3:PutObject state/runs/failures/']]);
    }
    // Function roles carry no managed policy whose statements this walk could not see.
    for (const id of expected.keys()) expect(resources[id].Properties.ManagedPolicyArns).toBeUndefined();
  });

  test('the grants, spelled out: objects per prefix, ListBucket where a function lists or reads, delete only on subscribers', () => {
    const of = (name: string) => storePermissionsOf(statementsByRole().get(roleOf(name))!);
    const fetchPrefixes = ['state/articles/', 'state/feeds/', 'state/runs/'];
    expect(of('Fetch')).toEqual(
      ['s3:GetObject', 's3:ListBucket', 's3:PutObject'].flatMap((a) => fetchPrefixes.map((p) => `${a} ${p}`)),
    );
    const summarizePrefixes = ['site/', 'state/articles/', 'state/runs/', 'state/site/', 'state/stories/', 'state/summaries/'];
    expect(of('Summarize')).toEqual(
      [
        ...[...summarizePrefixes, 'state/subscribers/'].map((p) => `s3:GetObject ${p}`),
        ...[...summarizePrefixes, 'state/subscribers/'].map((p) => `s3:ListBucket ${p}`),
        // The publisher only reads subscribers.
        ...summarizePrefixes.map((p) => `s3:PutObject ${p}`),
      ].sort(),
    );
    expect(of('Subscribe')).toEqual([
      's3:DeleteObject state/subscribers/',
      's3:GetObject state/limits/',
      's3:GetObject state/subscribers/',
      's3:ListBucket state/limits/',
      's3:ListBucket state/subscribers/',
      's3:PutObject state/limits/',
      's3:PutObject state/subscribers/',
    ]);
  });

  test('the fetch role can neither list nor read nor write state/subscribers/', () => {
    const fetch = storePermissionsOf(statementsByRole().get(roleOf('Fetch'))!);
    const reaching = fetch.filter((entry) => {
      const [, prefix] = entry.split(' ');
      return 'state/subscribers/a1.json'.startsWith(prefix) || prefix.startsWith('?');
    });
    expect(reaching).toEqual([]);
  });

  test('no s3 action family nor any *Version* action allowed, in any policy of the stack', () => {
    const documents = [
      ...ofType('AWS::IAM::Policy'),
      ...ofType('AWS::IAM::ManagedPolicy'),
      ...ofType('AWS::S3::BucketPolicy'),
    ].map(([, p]) => p.Properties.PolicyDocument as { Statement: Statement[] });
    for (const [, role] of ofType('AWS::IAM::Role'))
      documents.push(
        ...((role.Properties.Policies as { PolicyDocument: { Statement: Statement[] } }[] | undefined) ?? []).map(
          (p) => p.PolicyDocument,
        ),
      );
    // Denies are exempt: the bucket policy denies "s3:*" without TLS.
    const allowed = documents.flatMap((d) => d.Statement.filter((st) => st.Effect === 'Allow').flatMap(actionsOf));
    const s3Actions = allowed.filter((a) => a.startsWith('s3:'));
    expect(s3Actions.length).toBeGreaterThan(0);
    expect(s3Actions.filter((a) => a.includes('*') || /Version/i.test(a))).toEqual([]);
  });

  test('ListBucket always carries an s3:prefix condition', () => {
    const listing = policies().flatMap(([, doc]) => doc.Statement.filter((st) => actionsOf(st).some((a) => /^s3:List/.test(a))));
    expect(listing.length).toBeGreaterThanOrEqual(3);
    for (const st of listing) {
      expect(actionsOf(st)).toEqual(['s3:ListBucket']);
      expect(Object.keys(st.Condition ?? {})).toEqual(['StringLike']);
      expect(Object.keys(st.Condition!.StringLike)).toEqual(['s3:prefix']);
    }
  });

  test('no role reaches every object of the bucket: each S3 object resource names a prefix', () => {
    for (const [id, doc] of policies()) {
      for (const st of doc.Statement) {
        if (!json(st.Action).includes('s3:')) continue;
        // "<bucket ARN>/*" is every object, subscribers included; every grant here is to a prefix.
        expect(`${id} ${json(st.Resource)}`).not.toMatch(/"\/\*"/);
      }
    }
  });

  test('no "*" resource except for actions AWS offers no resource-level permission for', () => {
    const allowedStar =
      /^(xray:|logs:(CreateLogDelivery|DeleteLogDelivery|DescribeLogGroups|DescribeResourcePolicies|GetLogDelivery|ListLogDeliveries|PutResourcePolicy|UpdateLogDelivery)$)/;
    for (const [id, doc] of policies()) {
      for (const st of doc.Statement) {
        if (st.Resource === '*') {
          for (const action of [st.Action].flat())
            expect(`${id} ${action}`).toMatch(new RegExp(`^${id} ${allowedStar.source.slice(1)}`));
        }
        expect(json(st.Action)).not.toMatch(/"s3:\*"|"\*"/);
      }
    }
  });

  test('mail: SES send only as email.from, through the stack identity and configuration set', () => {
    for (const role of ['SummarizeRole', 'SubscribeRole']) {
      const ses = statementsOf(role).find((s) => json(s.Action).includes('ses:SendEmail'))!;
      expect(ses.Condition).toEqual({ StringEquals: { 'ses:FromAddress': 'digest@news.example.com' } });
      expect(json(ses.Resource)).toContain(':configuration-set/');
      expect(json(ses.Resource)).toContain(':identity/');
      const secret = statementsOf(role).find((s) => json(s.Action).includes('secretsmanager:GetSecretValue'))!;
      expect(secret.Resource).toEqual({ Ref: expect.stringMatching(/^TokenSecret/) });
    }
    expect(json(statementsOf('FetchRole'))).not.toMatch(/ses:|secretsmanager:/);
  });
});

describe('subscriptions (issue 8)', () => {
  test('HTTP API: throttled stage, the four /api routes to the subscribe function', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 5, ThrottlingBurstLimit: 20 },
      AccessLogSettings: Match.objectLike({ DestinationArn: Match.anyValue() }),
    });
    const routes = ofType('AWS::ApiGatewayV2::Route')
      .map(([, r]) => r.Properties.RouteKey)
      .sort();
    expect(routes).toEqual([
      'GET /api/confirm',
      'GET /api/preferences',
      'GET /api/unsubscribe',
      'POST /api/confirm',
      'POST /api/preferences',
      'POST /api/subscribe',
      'POST /api/unsubscribe',
    ]);
  });

  test("SES identity for email.from's domain with a configuration set that suppresses bounces and complaints", () => {
    template.hasResourceProperties('AWS::SES::EmailIdentity', {
      EmailIdentity: 'news.example.com',
      ConfigurationSetAttributes: Match.anyValue(),
    });
    template.hasResourceProperties('AWS::SES::ConfigurationSet', {
      SuppressionOptions: { SuppressedReasons: ['BOUNCE', 'COMPLAINT'] },
      DeliveryOptions: { TlsPolicy: 'REQUIRE' },
    });
  });

  test('the token secret is generated at deploy time and named to the functions that sign tokens', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({ PasswordLength: 64 }),
    });
    const withSecret = ofType('AWS::Lambda::Function').filter(([, fn]) =>
      json(fn.Properties.Environment).includes(DEPLOY_ENV.tokenSecretId),
    );
    expect(withSecret.map(([id]) => id.replace(/Function.*$/, '')).sort()).toEqual(['Subscribe', 'Summarize']);
  });

  test('outputs: site URL, state machine, subscribe endpoint, DKIM records', () => {
    const outputs = Object.keys(template.toJSON().Outputs as object);
    expect(outputs).toEqual(
      expect.arrayContaining(['SiteUrl', 'StateMachineArn', 'SubscribeEndpoint', 'ApiEndpoint', 'DkimRecord1']),
    );
  });
});

describe('configuration at synth time', () => {
  const writeConfig = async (text: string): Promise<string> => {
    const dir = await scratch();
    const file = path.join(dir, 'digest.config.yaml');
    writeFileSync(file, text);
    return file;
  };
  // No bundling here: these synths check configuration handling only.
  const noBundling = { context: { 'aws:cdk:bundling-stacks': [] } };
  const noBundlingIn = async () => ({ ...noBundling, outdir: await scratch() });

  test('a bad key fails synthesis with a message naming it', async () => {
    const file = await writeConfig(
      'feeds:\n  - url: https://example.com/feed.xml\ndigest:\n  titel: Oops\nschedule:\n  cron: "0 7 * * *"\n',
    );
    await expect(buildApp({ configFile: file, appProps: noBundling })).rejects.toThrow(/digest\.titel[\s\S]*schedule\.cron/);
  });

  test('an EventBridge cron without "?" fails synthesis naming schedule.cron', async () => {
    const file = await writeConfig('feeds:\n  - url: https://example.com/feed.xml\nschedule:\n  cron: cron(0 7 * * * *)\n');
    await expect(buildApp({ configFile: file, appProps: await noBundlingIn() })).rejects.toThrow(/schedule\.cron/);
  });

  test('SES mail needs a real sender domain', async () => {
    const file = await writeConfig('feeds:\n  - url: https://example.com/feed.xml\nemail:\n  transport: ses\n');
    await expect(buildApp({ configFile: file, appProps: noBundling })).rejects.toThrow(/email\.from/);
  });

  test('with a hosted zone the stack publishes the DKIM records itself, and checks the sender is in it', async () => {
    const appProps = {
      ...(await noBundlingIn()),
      context: { ...noBundling.context, hostedZoneId: 'Z0123456789', hostedZoneName: 'example.com' },
    };
    const built = await buildApp({ configFile: EXAMPLE_CONFIG, appProps });
    built.app.synth();
    const t = Template.fromStack(built.stack);
    t.resourceCountIs('AWS::Route53::RecordSet', 3);
    t.hasResourceProperties('AWS::SES::EmailIdentity', { EmailIdentity: 'example.com' });
    expect(Object.keys(t.toJSON().Outputs as object)).not.toContain('DkimRecord1');

    const elsewhere = {
      ...(await noBundlingIn()),
      context: { ...noBundling.context, hostedZoneId: 'Z0123456789', hostedZoneName: 'other.org' },
    };
    await expect(buildApp({ configFile: EXAMPLE_CONFIG, appProps: elsewhere })).rejects.toThrow(/email\.from.*other\.org/);
  }, 60_000);

  test('without SES: no API, mail or subscriber access; schedule zone falls back; Bedrock scoped to its model', async () => {
    const file = await writeConfig(
      [
        'feeds:',
        '  - url: https://example.com/feed.xml',
        'digest:',
        '  timezone: Asia/Tokyo',
        'retention:',
        '  articleDays: 7',
        'summarizer:',
        '  kind: bedrock',
        '  modelId: us.anthropic.claude-3-5-haiku-20241022-v1:0',
      ].join('\n'),
    );
    const built = await buildApp({ configFile: file, appProps: await noBundlingIn() });
    built.app.synth();
    const t = Template.fromStack(built.stack);
    t.resourceCountIs('AWS::ApiGatewayV2::Api', 0);
    t.resourceCountIs('AWS::SES::EmailIdentity', 0);
    t.resourceCountIs('AWS::SecretsManager::Secret', 0);
    t.resourceCountIs('AWS::Lambda::Function', 2);
    t.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpressionTimezone: 'Asia/Tokyo' });
    t.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ Prefix: 'state/articles/', ExpirationInDays: 7 })]) },
    });
    expect(JSON.stringify(t.toJSON())).not.toContain('state/subscribers');
    // Bedrock: InvokeModel on the inference profile and its model only (the region wildcard is AWS's requirement).
    const policies = t.findResources('AWS::IAM::Policy');
    const summarizePolicy = JSON.stringify(Object.entries(policies).find(([id]) => id.startsWith('SummarizeRole'))![1]);
    expect(summarizePolicy).toContain('inference-profile/us.anthropic.claude-3-5-haiku-20241022-v1:0');
    expect(summarizePolicy).toContain(':bedrock:*::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0');
    expect(JSON.stringify(policies)).not.toContain('"bedrock:*"');
  }, 60_000);

  test.each([
    ['openai-api-key', 'secretsmanager:GetSecretValue', ':secretsmanager:', ':secret:openai-api-key-??????'],
    ['ssm:/rss-digest/openai-key', 'ssm:GetParameter', ':ssm:', ':parameter/rss-digest/openai-key'],
  ])(
    'OpenAI-compatible summarizer with its key in %s: read access to exactly that, no Bedrock',
    async (secret, action, service, resource) => {
      const file = await writeConfig(
        [
          'feeds:',
          '  - url: https://example.com/feed.xml',
          'summarizer:',
          '  kind: openai',
          '  baseUrl: https://api.openai.com/v1',
          '  model: gpt-4o-mini',
          '  apiKeyEnv: OPENAI_API_KEY',
          `  apiKeySecret: "${secret}"`,
        ].join('\n'),
      );
      const built = await buildApp({ configFile: file, appProps: await noBundlingIn() });
      built.app.synth(); // cdk-nag passes
      const policies = Template.fromStack(built.stack).findResources('AWS::IAM::Policy');
      const summarizePolicy = JSON.stringify(Object.entries(policies).find(([id]) => id.startsWith('SummarizeRole'))![1]);
      expect(summarizePolicy).toContain(`"${action}"`);
      expect(summarizePolicy).toContain(service);
      expect(summarizePolicy).toContain(resource);
      expect(summarizePolicy).not.toContain('bedrock:');
      const fetchPolicy = JSON.stringify(Object.entries(policies).find(([id]) => id.startsWith('FetchRole'))![1]);
      expect(fetchPolicy).not.toContain(action);
      // The key's name is in the stack; no key is (there is none to put there).
      expect(JSON.stringify(Template.fromStack(built.stack).toJSON())).not.toMatch(/sk-[A-Za-z0-9]{8}/);
    },
    60_000,
  );
});
