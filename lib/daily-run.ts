/**
 * The daily run: EventBridge Scheduler (config cron, IANA zone) starts a Step Functions state machine
 * that invokes the fetch function, then the summarize function; any error is recorded under
 * state/runs/failures/ and fails the execution.
 *
 * Resources are created in the stack's own scope, so their logical IDs stay those of the
 * single-file stack this was split from (see lib/store-and-site.ts).
 */
import { Duration, RemovalPolicy, Stack, TimeZone } from 'aws-cdk-lib';
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
  /** Wildcards AWS itself requires (cross-region inference profiles) in the summarize role, listed for cdk-nag. */
  readonly requiredWildcards: string[] = [];

  constructor(scope: Construct, id: string, props: DailyRunProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const { config, functions, storeGrants, subscriptions } = props;

    // Fetch: every feed + article page, bounded by network.concurrency and Lambda's 15-minute ceiling
    // (the state machine is where a Distributed Map over feed shards goes when one run is not enough).
    this.fetchFunction = new DigestFunction(stack, 'Fetch', {
      configFile: functions.configFile,
      logRetention: functions.logRetention,
      handler: 'fetch',
      description: 'rss-digest: fetch feeds and article pages into state/articles/',
      memorySize: 1024,
      timeout: Duration.minutes(15),
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
      timeout: Duration.minutes(10),
      environment: {
        ...functions.environment,
        ...subscriptions?.environment,
        [DEPLOY_ENV.metricsNamespace]: props.metricsNamespace,
      },
    });
    storeGrants.grant(this.summarizeFunction, STORE_ACCESS.summarize);
    this.grantSummarizer(config, this.summarizeFunction.role);
    subscriptions?.grantDigestMail(this.summarizeFunction, storeGrants);

    this.stateMachine = this.createStateMachine(stack, props.bucket);

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

  /** One daily run: fetch then publish; a failure anywhere is recorded, then fails the execution. */
  private createStateMachine(stack: Stack, bucket: s3.Bucket): sfn.StateMachine {
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
    }).next(
      new sfn.Fail(stack, 'RunFailed', { error: 'DigestRunFailed', cause: 'See state/runs/failures/ and the function logs.' }),
    );

    const invoke = (id: string, fn: DigestFunction, timeout: Duration, payload?: sfn.TaskInput): tasks.LambdaInvoke => {
      const task = new tasks.LambdaInvoke(stack, id, {
        lambdaFunction: fn.function,
        payload,
        payloadResponseOnly: true,
        retryOnServiceExceptions: false,
        taskTimeout: sfn.Timeout.duration(timeout),
      });
      // Transient failures only (a handler bug would fail the same way again): 3 attempts, ~20 s → 40 s → 80 s, jittered.
      task.addRetry({
        errors: TRANSIENT_ERRORS,
        interval: Duration.seconds(20),
        maxAttempts: 3,
        backoffRate: 2,
        jitterStrategy: sfn.JitterType.FULL,
      });
      task.addCatch(recordFailure, { errors: ['States.ALL'], resultPath: '$.error' });
      return task;
    };
    const fetchTask = invoke('FetchFeeds', this.fetchFunction, Duration.minutes(15));
    const summarizeTask = invoke(
      'SummarizeAndPublish',
      this.summarizeFunction,
      Duration.minutes(10),
      sfn.TaskInput.fromObject({ 'date.$': '$.date' }),
    );

    // Every state transition of every run for a month (no payloads: they would only repeat the reports).
    const sfnLogs = new logs.LogGroup(stack, 'RunLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // Bounded by a 40-minute execution timeout; logged and traced.
    return new sfn.StateMachine(stack, 'DailyRun', {
      comment: 'rss-digest daily run: fetch then summarize/publish',
      definitionBody: sfn.DefinitionBody.fromChainable(fetchTask.next(summarizeTask).next(new sfn.Succeed(stack, 'Published'))),
      timeout: Duration.minutes(40),
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
