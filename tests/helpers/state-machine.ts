/**
 * The synthesized state machine as Step Functions would receive it: its DefinitionString with every
 * CloudFormation reference resolved (functions to Lambda ARNs named after their logical ids, the
 * bucket to its name, pseudo parameters to fixed values), so aws-local-stepfunctions can run it.
 */
type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

export interface ResolveOptions {
  /** Name the bucket resolves to. */
  bucket: string;
  region?: string;
  account?: string;
}

/** Resolves the intrinsic functions CDK puts into a definition string. */
export function resolveIntrinsics(value: unknown, resources: Resources, options: ResolveOptions): string {
  const region = options.region ?? 'us-east-1';
  const account = options.account ?? '123456789012';
  const resolve = (v: unknown): string => {
    if (typeof v === 'string') return v;
    if (typeof v === 'number') return String(v);
    const o = v as Record<string, unknown>;
    if ('Fn::Join' in o) {
      const [sep, parts] = o['Fn::Join'] as [string, unknown[]];
      return parts.map(resolve).join(sep);
    }
    if ('Ref' in o) {
      const ref = o.Ref as string;
      if (ref === 'AWS::Partition') return 'aws';
      if (ref === 'AWS::Region') return region;
      if (ref === 'AWS::AccountId') return account;
      const resource = resources[ref];
      if (resource?.Type === 'AWS::S3::Bucket') return options.bucket;
      if (resource?.Type === 'AWS::StepFunctions::StateMachine') return `arn:aws:states:${region}:${account}:stateMachine:${ref}`;
      throw new Error(`Cannot resolve Ref ${ref} (${resource?.Type ?? 'unknown'})`);
    }
    if ('Fn::GetAtt' in o) {
      const [id, attr] = o['Fn::GetAtt'] as [string, string];
      const resource = resources[id];
      if (resource?.Type === 'AWS::Lambda::Function' && attr === 'Arn')
        return `arn:aws:lambda:${region}:${account}:function:${id}`;
      if (resource?.Type === 'AWS::S3::Bucket' && attr === 'Arn') return `arn:aws:s3:::${options.bucket}`;
      throw new Error(`Cannot resolve GetAtt ${id}.${attr}`);
    }
    throw new Error(`Cannot resolve ${JSON.stringify(v).slice(0, 200)}`);
  };
  return resolve(value);
}

/** The one state machine of a synthesized template, parsed. */
export function stateMachineDefinition(template: { Resources: Resources }, options: ResolveOptions): StateMachineDefinition {
  const machines = Object.values(template.Resources).filter((r) => r.Type === 'AWS::StepFunctions::StateMachine');
  if (machines.length !== 1) throw new Error(`Expected one state machine, found ${machines.length}`);
  return JSON.parse(
    resolveIntrinsics(machines[0].Properties.DefinitionString, template.Resources, options),
  ) as StateMachineDefinition;
}

export interface StateDefinition {
  Type: string;
  Next?: string;
  End?: boolean;
  TimeoutSeconds?: number;
  Retry?: { ErrorEquals: string[]; IntervalSeconds?: number; MaxAttempts?: number; BackoffRate?: number }[];
  Catch?: { ErrorEquals: string[]; Next: string; ResultPath?: string }[];
  ItemProcessor?: {
    ProcessorConfig?: { Mode?: string; ExecutionType?: string };
    StartAt: string;
    States: Record<string, StateDefinition>;
  };
  MaxConcurrency?: number;
  ItemsPath?: string;
  Parameters?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface StateMachineDefinition {
  StartAt: string;
  TimeoutSeconds?: number;
  States: Record<string, StateDefinition>;
}
