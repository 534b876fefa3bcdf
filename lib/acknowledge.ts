/**
 * cdk-nag acknowledgements, each with its reason, shared by every construct of the stack.
 */
import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

export interface Acknowledgement {
  id: string;
  reason: string;
  /** Findings of a multi-finding rule (IAM5), each acknowledged as `id[finding]`. */
  appliesTo?: string[];
}

/**
 * Acknowledge cdk-nag findings on a construct and everything under it, each with its reason.
 * A rule with findings (IAM5) is acknowledged finding by finding, so a new wildcard still fails.
 */
export function acknowledge(scope: IConstruct, acknowledgements: Acknowledgement[]): void {
  for (const a of acknowledgements) {
    for (const id of a.appliesTo ? a.appliesTo.map((f) => `${a.id}[${f}]`) : [a.id]) {
      Validations.of(scope).acknowledge({ id, reason: a.reason });
    }
  }
}
