/**
 * Store access per function: exactly the S3 actions lambdas/environment.ts STORE_ACCESS says the
 * code uses, each on exactly its prefixes, and the cdk-nag findings those grants produce,
 * acknowledged exactly (so any new wildcard still fails the check).
 *
 * Not `bucket.grantRead/grantPut/grantReadWrite`: they emit whole action families (`s3:GetObject*`,
 * `s3:GetBucket*`, `s3:List*`, `s3:Abort*`, `s3:DeleteObject*`), versions included, and a bucket-wide
 * List. The bucket is versioned to protect subscribers, so no role gets any `*Version*` action.
 * The bucket is encrypted with S3-managed keys (SSE-S3): no KMS permission is needed.
 */
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { StoreAccess } from '../lambdas/environment';
import { acknowledge } from './acknowledge';
import type { IConstruct } from 'constructs';

export type { StoreAccess };

/** The object-level actions, by the Store operations that need them. */
const OBJECT_ACTIONS = [
  ['s3:GetObject', 'get'],
  ['s3:PutObject', 'put'],
  ['s3:DeleteObject', 'delete'],
] as const;

export type StoreAction = (typeof OBJECT_ACTIONS)[number][0] | 's3:ListBucket';

/**
 * The IAM permissions a store access needs: each action with the key prefixes it may name
 * (objects `bucket/prefix*`; for s3:ListBucket, the `s3:prefix` values `prefix*`). ListBucket
 * covers the prefixes the function lists and those it reads: S3Store tells a missing key from a
 * denied read by listing the key (see src/store/s3-store.ts).
 */
export function storePermissions(access: StoreAccess): Record<StoreAction, string[]> {
  return {
    's3:GetObject': [...access.get],
    's3:PutObject': [...access.put],
    's3:DeleteObject': [...access.delete],
    's3:ListBucket': [...new Set([...access.list, ...access.get])],
  };
}

/** What a grant needs of a function (a GrantedFunction): its role, and the function cdk-nag checks. */
export interface GrantedFunction {
  readonly role: iam.Role;
  readonly function: IConstruct;
}

export class StoreGrants {
  /** The object prefixes each function was granted: its cdk-nag IAM5 findings. */
  private readonly objectPrefixes = new Map<GrantedFunction, Set<string>>();

  constructor(private readonly bucket: s3.Bucket) {}

  /** `Resource::<Bucket.Arn>/prefix*`, as cdk-nag names an object ARN under a prefix. */
  objectArnFinding(prefix: string): string {
    const bucketId = Stack.of(this.bucket).getLogicalId(this.bucket.node.defaultChild as s3.CfnBucket);
    return `Resource::<${bucketId}.Arn>/${prefix}*`;
  }

  /**
   * Each object action on `bucket/prefix*` for its prefixes; ListBucket on the bucket itself under a
   * `StringLike s3:prefix` condition (CDK may merge statements with the same resources).
   */
  grant(fn: GrantedFunction, access: StoreAccess): void {
    const permissions = storePermissions(access);
    const granted = this.objectPrefixes.get(fn) ?? new Set<string>();
    this.objectPrefixes.set(fn, granted);
    for (const [action] of OBJECT_ACTIONS) {
      const prefixes = permissions[action];
      if (prefixes.length === 0) continue;
      fn.role.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: [action], resources: prefixes.map((p) => this.bucket.arnForObjects(`${p}*`)) }),
      );
      for (const p of prefixes) granted.add(p);
    }
    const listed = permissions['s3:ListBucket'];
    if (listed.length === 0) return;
    fn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [this.bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': listed.map((p) => `${p}*`) } },
      }),
    );
  }

  /**
   * Acknowledge, per function, exactly the object ARNs its grants produced, plus `extraFindings`
   * (wildcards AWS itself requires, such as a cross-region inference profile's). Called once, after
   * every grant.
   */
  acknowledgeFindings(extraFindings: Map<GrantedFunction, string[]>): void {
    for (const [fn, prefixes] of this.objectPrefixes) {
      acknowledge(fn.role, [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            `S3 object actions (GetObject, PutObject, DeleteObject) name object ARNs, and this function's keys are created at run time ` +
            `(one per feed, article, page, subscriber or date) under ${[...prefixes].join(', ')}: an object ARN ending in "prefix*" ` +
            'is the narrowest resource that covers them. The bucket ARN itself gets only s3:ListBucket, under an s3:prefix condition.',
          appliesTo: [...prefixes].map((p) => this.objectArnFinding(p)),
        },
      ]);
      // Acknowledging no findings (a function with no extra wildcard) records nothing.
      acknowledge(fn.role, [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            'A cross-region Bedrock inference profile invokes its model in any region of the profile, so AWS requires the region wildcard in the foundation-model ARN.',
          appliesTo: extraFindings.get(fn) ?? [],
        },
      ]);
      acknowledge(fn.function, [
        {
          id: 'AwsSolutions-L1',
          reason:
            'Node.js 22 is the runtime this project targets and tests (issue 7); moving to 24 is a deliberate change, not a lint fix.',
        },
      ]);
    }
  }
}
