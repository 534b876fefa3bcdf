/**
 * Store access per function: `grant*` on exactly the prefixes lambdas/environment.ts STORE_ACCESS
 * lists, and the cdk-nag findings those grants produce, acknowledged exactly (so any new wildcard
 * still fails the check).
 */
import { Stack } from 'aws-cdk-lib';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { acknowledge } from './acknowledge';
import type { DigestFunction } from './digest-function';

export interface StoreAccess {
  read: readonly string[];
  put: readonly string[];
  write: readonly string[];
}

export class StoreGrants {
  /** The cdk-nag IAM5 findings each function's grants produce. */
  private readonly findings = new Map<DigestFunction, Set<string>>();

  constructor(private readonly bucket: s3.Bucket) {}

  /** `Resource::<Bucket.Arn>/prefix*`, as cdk-nag names an object ARN under a prefix. */
  objectArnFinding(prefix: string): string {
    const bucketId = Stack.of(this.bucket).getLogicalId(this.bucket.node.defaultChild as s3.CfnBucket);
    return `Resource::<${bucketId}.Arn>/${prefix}*`;
  }

  /**
   * read (GetObject*, plus List on the bucket so a missing key is a 404 rather than a 403),
   * put (read + PutObject, no delete), write (put + delete).
   */
  grant(fn: DigestFunction, access: StoreAccess): void {
    const findings = this.findings.get(fn) ?? new Set<string>();
    this.findings.set(fn, findings);
    const note = (prefix: string, ...actions: string[]): void => {
      for (const a of ['s3:GetBucket*', 's3:GetObject*', 's3:List*', ...actions]) findings.add(`Action::${a}`);
      findings.add(this.objectArnFinding(prefix));
    };
    for (const prefix of access.read) {
      this.bucket.grantRead(fn.role, `${prefix}*`);
      note(prefix);
    }
    for (const prefix of access.put) {
      this.bucket.grantRead(fn.role, `${prefix}*`);
      this.bucket.grantPut(fn.role, `${prefix}*`);
      note(prefix, 's3:Abort*');
    }
    for (const prefix of access.write) {
      this.bucket.grantReadWrite(fn.role, `${prefix}*`);
      note(prefix, 's3:Abort*', 's3:DeleteObject*');
    }
  }

  /**
   * Acknowledge, per function, exactly the findings its grants produced, plus `extraFindings`
   * (wildcards AWS itself requires, such as a cross-region inference profile's). Called once, after
   * every grant.
   */
  acknowledgeFindings(extraFindings: Map<DigestFunction, string[]>): void {
    for (const [fn, findings] of this.findings) {
      acknowledge(fn.role, [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            "Object access is limited to this function's store prefixes (prefix/*); the s3 action families are exactly what grantRead/grantPut/grantReadWrite emit.",
          appliesTo: [...findings, ...(extraFindings.get(fn) ?? [])],
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
