/**
 * The daily run: EventBridge Scheduler (config cron, IANA zone) starts a Step Functions state machine:
 *
 *   Plan                 the fetch function works out the date, takes the date's run lease for the
 *                        execution and lists the shards of the feed list (scale.feedsPerShard)
 *   FetchShards          a Distributed Map (standard child executions, scale.maxConcurrency at once):
 *                        the fetch function on one shard per item; a shard that fails or times out
 *                        is caught inside its item, so the map goes on without it
 *   Merge                the fetch function folds every shard's report into the day's (one writer)
 *   SummarizeAndPublish  the summarize function, as before
 *
 * Any step's error or timeout is recorded under state/runs/failures/ and fails the execution. The
 * timeouts and retries come from lib/run-budget.ts, so the execution's own timeout is never reached first.
 *
 * Resources are created in the stack's own scope, so their logical IDs stay those of the
 * single-file stack this was split from (see lib/store-and-site.ts).
 */
import { Duration, RemovalPolicy, Stack, TimeZone, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import type { Config } from '../src/config';
import { DEPLOY_ENV, STORE_ACCESS, TRANSIENT_ERROR_NAME } from '../lambdas/environment';
import { acknowledge } from './acknowledge';
import { runBudget, type RunBudget, type StepBudget } from './run-budget';
import { DigestFunction, type SharedFunctionSettings } from './digest-function';
import { PREFIXES } from './store-and-site';
import type { StoreGrants } from './store-grants';
import type { Subscriptions } from './subscriptions';

/** Lambda errors the state machine retries: the Lambda service's own transient failures and our TransientError. */
export const TRANSIENT_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  TRANSIENT_ERROR_NAME,
];

export interface DailyRunProps {
  config: Config;
  bucket: s3.Bucket;
  storeGrants: StoreGrants;
  functions: SharedFunctionSettings;
  /** CloudWatch namespace the summarize function publishes DigestsPublished in. */
  metricsNamespace: string;
  /** Set when mail goes through SES: the summarize function then mails the digest to subscribers. */
  subscriptions?: Subscriptions;
}

export class DailyRun extends Construct {
  readonly fetchFunction: DigestFunction;
  readonly summarizeFunction: DigestFunction;
  readonly stateMachine: sfn.StateMachine;
  /** Timeouts and retries of every step, and the execution timeout they add up to. */
  readonly budget: RunBudget;
  /** Wildcards AWS itself requires (cross-region inference profiles) in the summarize role, listed for cdk-nag. */
  readonly requiredWildcards: string[] = [];

  constructor(scope: Construct, id: string, props: DailyRunProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const { config, functions, storeGrants, subscriptions } = props;

    const budget = runBudget(config);
    this.budget = budget;

    // Fetch: plans the run, fetches one shard of the feeds per invocation, merges the shards' reports.
    this.fetchFunction = new DigestFunction(stack, 'Fetch', {
      configFile: functions.configFile,
      logRetention: functions.logRetention,
      handler: 'fetch',
      description: 'rss-digest: plan the run, fetch a shard of the feeds into state/articles/, merge the reports',
      memorySize: 1024,
      timeout: Duration.seconds(budget.shard.functionSeconds),
      environment: functions.environment,
    });
    storeGrants.grant(this.fetchFunction, STORE_ACCESS.fetch);

    // Summarize + publish (+ mail): reads the day's records, writes summaries, the site and run reports.
    this.summarizeFunction = new DigestFunction(stack, 'Summarize', {
      configFile: functions.configFile,
      logRetention: functions.logRetention,
      handler: 'summarize',
      description: 'rss-digest: summarize, publish site/ and mail subscribers',
      memorySize: 1024,
      timeout: Duration.seconds(budget.summarize.functionSeconds),
      environment: {
        ...functions.environment,
        ...subscriptions?.environment,
        [DEPLOY_ENV.metricsNamespace]: props.metricsNamespace,
      },
    });
    storeGrants.grant(this.summarizeFunction, STORE_ACCESS.summarize);
    this.grantSummarizer(config, this.summarizeFunction.role);
    subscriptions?.grantDigestMail(this.summarizeFunction, storeGrants);

    this.stateMachine = this.createStateMachine(stack, props.bucket, budget);

    // The daily trigger: config cron in the config's IANA zone, so "07:00" stays 07:00 local across DST.
    const timezone = config.schedule.timezone ?? config.digest.timezone;
    new scheduler.Schedule(stack, 'DailySchedule', {
      description: `rss-digest: ${config.schedule.cron} ${timezone}`,
      schedule: scheduler.ScheduleExpression.expression(config.schedule.cron, TimeZone.of(timezone)),
      target: new schedulerTargets.StepFunctionsStartExecution(this.stateMachine, {
        input: scheduler.ScheduleTargetInput.fromObject({ scheduledTime: scheduler.ContextAttribute.scheduledTime }),
        retryAttempts: 3,
        maxEventAge: Duration.hours(2),
      }),
    });

    // The map's children: CDK grants StartExecution on this state machine only, Describe/Stop on its own
    // executions and RedriveExecution on its own map runs; execution names are only known at run time.
    const smName = `{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"${stack.getLogicalId(this.stateMachine.node.defaultChild as sfn.CfnStateMachine)}"}]}]}`;
    // cdk-nag names the region as the stack has it: a literal, or the pseudo parameter when the stack is environment-agnostic.
    const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
    const executions = `arn:<AWS::Partition>:states:${region}:<AWS::AccountId>:execution:${smName}`;
    acknowledge(this.stateMachine, [
      {
        id: 'AwsSolutions-IAM5',
        reason:
          "The Distributed Map describes and stops its child executions and redrives its map runs: both are named at run time, so the grant is on this state machine's executions (':*') and its FetchShards map runs ('/FetchShards:*') only.",
        appliesTo: [`Resource::${executions}:*`, `Resource::${executions}/FetchShards:*`],
      },
    ]);
    acknowledge(this.stateMachine, [
      {
        id: 'AwsSolutions-IAM5',
        reason:
          'The state machine may write failure records only under state/runs/failures/*; it invokes exactly the two functions (":*" covers their versions); X-Ray and log-delivery actions have no resource-level permissions.',
        appliesTo: [
          storeGrants.objectArnFinding(PREFIXES.failures),
          'Resource::*',
          ...[this.fetchFunction, this.summarizeFunction].map(
            (fn) => `Resource::<${stack.getLogicalId(fn.function.node.defaultChild as lambda.CfnFunction)}.Arn>:*`,
          ),
        ],
      },
    ]);
  }

  /** One daily run: plan, fetch the shards, merge, publish; a failure anywhere is recorded, then fails the execution. */
  private createStateMachine(stack: Stack, bucket: s3.Bucket, budget: RunBudget): sfn.StateMachine {
    // A failed run is written to state/runs/failures/<execution>.json (expires with the run reports), then fails.
    const recordFailure = new tasks.CallAwsService(stack, 'RecordFailure', {
      service: 's3',
      action: 'putObject',
      parameters: {
        Bucket: bucket.bucketName,
        Key: sfn.JsonPath.format(`${PREFIXES.failures}{}.json`, sfn.JsonPath.stringAt('$$.Execution.Name')),
        Body: sfn.JsonPath.jsonToString(sfn.JsonPath.objectAt('$')),
        ContentType: 'application/json',
      },
      iamResources: [bucket.arnForObjects(`${PREFIXES.failures}*`)],
      iamAction: 's3:PutObject',
      resultPath: sfn.JsonPath.DISCARD,
      taskTimeout: sfn.Timeout.duration(Duration.seconds(budget.recordFailureSeconds)),
    }).next(
      new sfn.Fail(stack, 'RunFailed', { error: 'DigestRunFailed', cause: 'See state/runs/failures/ and the function logs.' }),
    );

    const invoke = (
      id: string,
      fn: DigestFunction,
      step: StepBudget,
      payload: sfn.TaskInput,
      resultPath: string,
    ): tasks.LambdaInvoke => {
      const task = new tasks.LambdaInvoke(stack, id, {
        lambdaFunction: fn.function,
        payload,
        payloadResponseOnly: true,
        retryOnServiceExceptions: false,
        taskTimeout: sfn.Timeout.duration(Duration.seconds(step.taskSeconds)),
        resultPath,
      });
      task.addRetry({
        errors: TRANSIENT_ERRORS,
        interval: Duration.seconds(step.retry.intervalSeconds),
        maxAttempts: step.retry.maxAttempts,
        backoffRate: step.retry.backoffRate,
        jitterStrategy: sfn.JitterType.FULL,
      });
      return task;
    };
    // Every top-level step's failure, its timeout included, goes to RecordFailure with the error beside the state.
    const toFailure = <T extends sfn.TaskStateBase | sfn.DistributedMap>(state: T): T => {
      state.addCatch(recordFailure, { errors: ['States.Timeout'], resultPath: '$.error' });
      state.addCatch(recordFailure, { errors: ['States.ALL'], resultPath: '$.error' });
      return state;
    };

    const plan = toFailure(
      invoke(
        'Plan',
        this.fetchFunction,
        budget.plan,
        sfn.TaskInput.fromObject({
          step: 'plan',
          input: sfn.JsonPath.objectAt('$'),
          runId: sfn.JsonPath.stringAt('$$.Execution.Name'),
          // The lease lasts as long as the execution may; the summarize step ends it.
          leaseSeconds: budget.executionSeconds,
        }),
        '$.plan',
      ),
    );

    // One item per shard; a shard that fails or times out becomes {failed, index, error} and the map goes on.
    const fetchShard = invoke(
      'FetchShard',
      this.fetchFunction,
      budget.shard,
      sfn.TaskInput.fromObject({ step: 'shard', shard: sfn.JsonPath.objectAt('$') }),
      '$.result',
    );
    const shardDone = new sfn.Pass(stack, 'ShardDone', { outputPath: '$.result' });
    const shardFailed = new sfn.Pass(stack, 'ShardFailed', {
      parameters: {
        failed: true,
        'index.$': '$.index',
        'error.$': '$.error.Error',
        'cause.$': '$.error.Cause',
      },
    });
    fetchShard.addCatch(shardFailed, { errors: ['States.ALL'], resultPath: '$.error' });
    const fetchShards = toFailure(
      new sfn.DistributedMap(stack, 'FetchShards', {
        itemsPath: '$.plan.shards',
        maxConcurrency: budget.maxConcurrency,
        // Standard children: an Express child would be stopped after 5 minutes, a shard may take 15.
        mapExecutionType: sfn.StateMachineType.STANDARD,
        resultPath: '$.shardResults',
        label: 'FetchShards',
      }),
    );
    fetchShards.itemProcessor(fetchShard.next(shardDone));

    const merge = toFailure(
      invoke(
        'Merge',
        this.fetchFunction,
        budget.merge,
        sfn.TaskInput.fromObject({
          step: 'merge',
          date: sfn.JsonPath.stringAt('$.plan.date'),
          runId: sfn.JsonPath.stringAt('$.plan.runId'),
          count: sfn.JsonPath.numberAt('$.plan.count'),
          results: sfn.JsonPath.listAt('$.shardResults'),
        }),
        '$.fetch',
      ),
    );
    const summarize = toFailure(
      invoke(
        'SummarizeAndPublish',
        this.summarizeFunction,
        budget.summarize,
        sfn.TaskInput.fromObject({ date: sfn.JsonPath.stringAt('$.plan.date'), runId: sfn.JsonPath.stringAt('$.plan.runId') }),
        '$.publish',
      ),
    );

    // Every state transition of every run for a month (no payloads: they would only repeat the reports).
    const sfnLogs = new logs.LogGroup(stack, 'RunLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    return new sfn.StateMachine(stack, 'DailyRun', {
      comment: 'rss-digest daily run: plan, fetch the shards, merge, summarize/publish',
      definitionBody: sfn.DefinitionBody.fromChainable(
        plan.next(fetchShards).next(merge).next(summarize).next(new sfn.Succeed(stack, 'Published')),
      ),
      timeout: Duration.seconds(budget.executionSeconds),
      tracingEnabled: true,
      logs: { destination: sfnLogs, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });
  }

  /**
   * Summaries from Bedrock need InvokeModel on exactly the configured model (or inference profile);
   * from an OpenAI-compatible API, read access to exactly the secret or parameter that holds its key.
   */
  private grantSummarizer(config: Config, role: iam.IRole): void {
    const stack = Stack.of(this);
    if (config.summarizer.kind === 'openai') {
      const name = config.summarizer.apiKeySecret;
      if (!name) return;
      if (name.startsWith('ssm:')) {
        // A SecureString under the account's aws/ssm key: decrypting through SSM needs no KMS grant.
        const parameter = name.slice(4).replace(/^\//, '');
        role.addToPrincipalPolicy(
          new iam.PolicyStatement({
            actions: ['ssm:GetParameter'],
            resources: [`arn:${stack.partition}:ssm:${stack.region}:${stack.account}:parameter/${parameter}`],
          }),
        );
      } else {
        // Secrets Manager appends six random characters to a secret's ARN.
        role.addToPrincipalPolicy(
          new iam.PolicyStatement({
            actions: ['secretsmanager:GetSecretValue'],
            resources: [`arn:${stack.partition}:secretsmanager:${stack.region}:${stack.account}:secret:${name}-??????`],
          }),
        );
      }
      return;
    }
    if (config.summarizer.kind !== 'bedrock') return;
    const region = config.summarizer.region ?? stack.region;
    const modelId = config.summarizer.modelId;
    const profile = /^(us|eu|apac|us-gov|global)\.(.+)$/.exec(modelId);
    const resources = profile
      ? [
          `arn:${stack.partition}:bedrock:${region}:${stack.account}:inference-profile/${modelId}`,
          // A cross-region inference profile routes to the model in any of its regions, so AWS requires the region wildcard.
          `arn:${stack.partition}:bedrock:*::foundation-model/${profile[2]}`,
        ]
      : [`arn:${stack.partition}:bedrock:${region}::foundation-model/${modelId}`];
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['bedrock:InvokeModel'], resources }));
    if (profile) this.requiredWildcards.push(`Resource::arn:<AWS::Partition>:bedrock:*::foundation-model/${profile[2]}`);
  }
}
