/**
 * StoreGrants on its own: a real bucket, real roles and inline functions in a small stack (no bundling,
 * so it runs in a second and mutation testing can afford it for every mutant of lib/store-grants.ts),
 * synthesized offline with cdk-nag's AwsSolutions pack as `npm run synth` does. The whole stack's
 * grants are checked in stack.test.ts.
 */
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { rmSync } from 'node:fs';
import { acknowledge } from '../../lib/acknowledge';
import { StoreGrants, type GrantedFunction, type StoreAccess } from '../../lib/store-grants';
import { tempDir } from '../helpers/tmp';

type Statement = { Action: string | string[]; Resource: unknown; Effect: string };
type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

const scratchDirs: string[] = [];
afterAll(() => {
  for (const dir of scratchDirs) rmSync(dir, { recursive: true, force: true });
});

/** A stack with a bucket; with `nag`, cdk-nag checks the synth (the bucket's own findings acknowledged). */
async function storeStack(nag: boolean): Promise<{ app: App; stack: Stack; bucket: s3.Bucket; grants: StoreGrants }> {
  const outdir = await tempDir('rss-digest-grants-');
  scratchDirs.push(outdir);
  const app = new App({ outdir });
  if (nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  const stack = new Stack(app, 'Grants', { env: { account: '123456789012', region: 'eu-west-1' } });
  const bucket = new s3.Bucket(stack, 'Store', { enforceSSL: true });
  acknowledge(bucket, [{ id: 'AwsSolutions-S1', reason: 'test bucket: access logs are not what is tested' }]);
  return { app, stack, bucket, grants: new StoreGrants(bucket) };
}

/** A role and an inline function using it, as DigestFunction pairs them. */
function granted(stack: Stack, id: string): GrantedFunction {
  const role = new iam.Role(stack, `${id}Role`, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  const fn = new lambda.Function(stack, id, {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => {};'),
    role,
  });
  return { role, function: fn };
}

/** The S3 statements of a role's policies, as synthesized. */
function s3Statements(stack: Stack, fn: GrantedFunction): Statement[] {
  const roleId = stack.getLogicalId(fn.role.node.defaultChild as iam.CfnRole);
  const resources = Template.fromStack(stack).toJSON().Resources as Resources;
  return Object.values(resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy')
    .filter((r) => JSON.stringify(r.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
    .flatMap((r) => (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement)
    .filter((s) => [s.Action].flat().some((a) => a.startsWith('s3:')));
}

/** The object prefixes (`prefix/*` after the bucket ARN) a statement names, '' for the bucket itself. */
function objectPrefixes(statement: Statement, bucketId: string): string[] {
  return [statement.Resource].flat().map((resource) => {
    const arn = { 'Fn::GetAtt': [bucketId, 'Arn'] };
    if (JSON.stringify(resource) === JSON.stringify(arn)) return '';
    const joined = resource as { 'Fn::Join': [string, unknown[]] };
    expect(joined['Fn::Join'][1][0]).toEqual(arn);
    return joined['Fn::Join'][1][1] as string;
  });
}

/** action → the object prefixes it is granted on ('' for the bucket itself), for one role. */
function grantsByAction(stack: Stack, bucket: s3.Bucket, fn: GrantedFunction): Map<string, string[]> {
  const bucketId = stack.getLogicalId(bucket.node.defaultChild as s3.CfnBucket);
  const byAction = new Map<string, string[]>();
  for (const statement of s3Statements(stack, fn)) {
    expect(statement.Effect).toBe('Allow');
    for (const action of [statement.Action].flat()) {
      const prefixes = new Set([...(byAction.get(action) ?? []), ...objectPrefixes(statement, bucketId)]);
      byAction.set(action, [...prefixes].sort());
    }
  }
  return byAction;
}

const ACCESS: StoreAccess = {
  get: ['state/read/', 'state/put/', 'state/write/'],
  put: ['state/put/', 'state/write/'],
  delete: ['state/write/'],
  list: [],
};
const READ_SITE: StoreAccess = { get: ['site/'], put: [], delete: [], list: [] };

describe('StoreGrants.grant', () => {
  test('grants exactly the listed actions on exactly their prefixes; ListBucket only on the bucket, by prefix', async () => {
    const { stack, bucket, grants } = await storeStack(false);
    const fn = granted(stack, 'Fn');
    grants.grant(fn, ACCESS);
    const byAction = grantsByAction(stack, bucket, fn);

    expect(byAction.get('s3:GetObject')).toEqual(['/state/put/*', '/state/read/*', '/state/write/*']);
    // Writing is never granted on the read-only prefix, deleting only on the write prefix.
    expect(byAction.get('s3:PutObject')).toEqual(['/state/put/*', '/state/write/*']);
    expect(byAction.get('s3:DeleteObject')).toEqual(['/state/write/*']);
    // ListBucket names the bucket itself ('' here), narrowed by an s3:prefix condition.
    expect(byAction.get('s3:ListBucket')).toEqual(['']);
    expect([...byAction.keys()].sort()).toEqual(['s3:DeleteObject', 's3:GetObject', 's3:ListBucket', 's3:PutObject']);
    // No object resource without a prefix: "<bucket ARN>/*" would be every object, subscribers included.
    for (const prefixes of byAction.values()) expect(prefixes).not.toContain('/*');
  });

  test('a function granted nothing has no S3 statement, and grants to one role stay on it', async () => {
    const { stack, bucket, grants } = await storeStack(false);
    const reader = granted(stack, 'Reader');
    const bystander = granted(stack, 'Bystander');
    grants.grant(reader, READ_SITE);
    expect(s3Statements(stack, bystander)).toEqual([]);
    expect([...grantsByAction(stack, bucket, reader).keys()].sort()).toEqual(['s3:GetObject', 's3:ListBucket']);
  });

  test('objectArnFinding names an object ARN under a prefix as cdk-nag does', async () => {
    const { stack, bucket, grants } = await storeStack(false);
    const bucketId = stack.getLogicalId(bucket.node.defaultChild as s3.CfnBucket);
    expect(grants.objectArnFinding('state/runs/')).toBe(`Resource::<${bucketId}.Arn>/state/runs/*`);
  });
});

describe('StoreGrants.acknowledgeFindings', () => {
  test('acknowledges exactly what the grants produced: the synth passes cdk-nag', async () => {
    const { app, stack, grants } = await storeStack(true);
    const first = granted(stack, 'First');
    const second = granted(stack, 'Second');
    grants.grant(first, ACCESS);
    grants.grant(second, READ_SITE);
    // Grants to the same function add up: the second call's findings are acknowledged too.
    grants.grant(first, { get: ['state/more/'], put: [], delete: [], list: [] });
    grants.acknowledgeFindings(new Map());
    expect(() => app.synth()).not.toThrow();
  });

  test('a wildcard no grant produced still fails the synth, unless passed as a required wildcard', async () => {
    const wildcard = 'Resource::arn:aws:bedrock:*::foundation-model/*';
    const withWildcard = async (extra: boolean): Promise<App> => {
      const { app, stack, grants } = await storeStack(true);
      const fn = granted(stack, 'Fn');
      grants.grant(fn, ACCESS);
      fn.role.addToPolicy(
        new iam.PolicyStatement({ actions: ['bedrock:InvokeModel'], resources: ['arn:aws:bedrock:*::foundation-model/*'] }),
      );
      grants.acknowledgeFindings(new Map(extra ? [[fn, [wildcard]]] : []));
      return app;
    };
    await expect(withWildcard(false).then((app) => app.synth())).rejects.toThrow(
      /IAM5\[Resource::arn:aws:bedrock:\*::foundation-model\/\*\]/,
    );
    await expect(withWildcard(true).then((app) => app.synth())).resolves.toBeDefined();
  });

  test('a grant made after acknowledging is not acknowledged: its new prefix fails the synth', async () => {
    const { app, stack, grants } = await storeStack(true);
    const fn = granted(stack, 'Fn');
    grants.grant(fn, ACCESS);
    grants.acknowledgeFindings(new Map());
    grants.grant(fn, { get: [], put: ['state/late/'], delete: [], list: [] });
    expect(() => app.synth()).toThrow(/IAM5\[Resource::<Store\w+\.Arn>\/state\/late\/\*\]/);
  });
});

/** The acknowledgements recorded on a construct: rule id (with its finding) → reason. */
function acknowledgements(scope: { node: { metadata: { type: string; data: unknown }[] } }): Record<string, string> {
  const recorded = scope.node.metadata
    .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .flatMap((m) => Object.entries(m.data as Record<string, string>));
  // CDK qualifies each id with the namespace of the validation that reports it ("Annotation::").
  return Object.fromEntries(recorded.map(([id, reason]) => [id.replace(/^[A-Za-z]+::(?=AwsSolutions-)/, ''), reason]));
}

describe('StoreGrants: ListBucket', () => {
  test('is narrowed to exactly the prefixes the function lists or reads, each as "prefix*"', async () => {
    const { stack, grants } = await storeStack(false);
    const fn = granted(stack, 'Fn');
    grants.grant(fn, { get: ['site/', 'state/feeds/'], put: ['site/'], delete: [], list: ['state/runs/', 'site/'] });
    const listing = s3Statements(stack, fn).filter((s) => [s.Action].flat().includes('s3:ListBucket'));
    expect(listing).toHaveLength(1);
    expect((listing[0] as Statement & { Condition: unknown }).Condition).toEqual({
      StringLike: { 's3:prefix': ['state/runs/*', 'site/*', 'state/feeds/*'] },
    });
  });

  test('is not granted at all to a function that neither lists nor reads (never an unconditioned ListBucket)', async () => {
    const { stack, bucket, grants } = await storeStack(false);
    const writer = granted(stack, 'Writer');
    grants.grant(writer, { get: [], put: ['state/outbox/'], delete: [], list: [] });
    expect([...grantsByAction(stack, bucket, writer).entries()]).toEqual([['s3:PutObject', ['/state/outbox/*']]]);
  });
});

describe('StoreGrants.acknowledgeFindings: the reasons a reviewer reads', () => {
  test("each object-ARN finding is acknowledged with a reason naming that function's prefixes; the runtime finding with its own", async () => {
    const { stack, grants } = await storeStack(false);
    const fn = granted(stack, 'Fn');
    const bedrock = granted(stack, 'Bedrock');
    grants.grant(fn, READ_SITE);
    grants.grant(fn, { get: [], put: ['state/runs/'], delete: [], list: [] });
    grants.grant(bedrock, READ_SITE);
    const wildcard = 'Resource::arn:aws:bedrock:*::foundation-model/*';
    grants.acknowledgeFindings(new Map([[bedrock, [wildcard]]]));
    const reason = (prefixes: string) =>
      "S3 object actions (GetObject, PutObject, DeleteObject) name object ARNs, and this function's keys are created at run time " +
      `(one per feed, article, page, subscriber or date) under ${prefixes}: an object ARN ending in "prefix*" ` +
      'is the narrowest resource that covers them. The bucket ARN itself gets only s3:ListBucket, under an s3:prefix condition.';
    // Exactly these: nothing acknowledged that no grant produced.
    expect(acknowledgements(fn.role)).toEqual({
      [`AwsSolutions-IAM5[${grants.objectArnFinding('site/')}]`]: reason('site/, state/runs/'),
      [`AwsSolutions-IAM5[${grants.objectArnFinding('state/runs/')}]`]: reason('site/, state/runs/'),
    });
    expect(acknowledgements(bedrock.role)).toEqual({
      [`AwsSolutions-IAM5[${grants.objectArnFinding('site/')}]`]: reason('site/'),
      [`AwsSolutions-IAM5[${wildcard}]`]:
        'A cross-region Bedrock inference profile invokes its model in any region of the profile, so AWS requires the region wildcard in the foundation-model ARN.',
    });
    expect(acknowledgements(fn.function)).toEqual({
      'AwsSolutions-L1':
        'Node.js 22 is the runtime this project targets and tests (issue 7); moving to 24 is a deliberate change, not a lint fix.',
    });
  });
});
