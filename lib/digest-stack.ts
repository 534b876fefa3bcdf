/**
 * The whole deployment, read top to bottom like an architecture document:
 *
 *   EventBridge Scheduler (cron + IANA zone) → Step Functions: fetch Lambda → summarize Lambda
 *   both Lambdas ↔ one private S3 bucket (state/ private, site/ public through CloudFront only)
 *   CloudFront (OAC, security headers) serves site/ and forwards /api/* to the HTTP API
 *   HTTP API (throttled) → subscribe Lambda; SES identity + configuration set send the mail
 *   CloudWatch alarms → SNS topic → the operator's email
 *
 * Every resource carries a one-line comment: why it exists and what bounds it.
 */
import {
  Annotations,
  CfnOutput,
  Duration,
  Fn,
  RemovalPolicy,
  Stack,
  Stage,
  TimeZone,
  Validations,
  type StackProps,
} from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as snsSubscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct, IConstruct } from 'constructs';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, type Config } from '../src/config';
import { DigestFunction } from './digest-function';
import { DEPLOY_ENV, DIGEST_PUBLISHED_METRIC, serializeDeployedConfig, STORE_ACCESS, TRANSIENT_ERROR_NAME } from './environment';

/** Store prefixes the stack itself names (the layout is in src/store/index.ts; per-function access in STORE_ACCESS). */
export const PREFIXES = {
  site: 'site/',
  articles: 'state/articles/',
  runs: 'state/runs/',
  stories: 'state/stories/',
  failures: 'state/runs/failures/',
  limits: 'state/limits/',
} as const;

export const METRICS_NAMESPACE_PREFIX = 'RssDigest';

/** Lambda errors the state machine retries: the Lambda service's own transient failures and our TransientError. */
export const TRANSIENT_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  TRANSIENT_ERROR_NAME,
];

/** The site's Content-Security-Policy: only its own files, images from article sites, forms only to itself. */
export const SITE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' https: data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  'upgrade-insecure-requests',
].join('; ');

export interface DigestStackProps extends StackProps {
  /** The validated configuration (src/config `loadConfigFile`), feeds from OPML already merged. */
  config: Config;
  /** Optional Route 53 public hosted zone of email.from's domain: the stack then publishes the DKIM records itself. */
  hostedZone?: { zoneId: string; zoneName: string };
}

interface Acknowledgement {
  id: string;
  reason: string;
  /** Findings of a multi-finding rule (IAM5), each acknowledged as `id[finding]`. */
  appliesTo?: string[];
}

/**
 * Acknowledge cdk-nag findings on a construct and everything under it, each with its reason.
 * A rule with findings (IAM5) is acknowledged finding by finding, so a new wildcard still fails.
 */
function acknowledge(scope: IConstruct, acknowledgements: Acknowledgement[]): void {
  for (const a of acknowledgements) {
    for (const id of a.appliesTo ? a.appliesTo.map((f) => `${a.id}[${f}]`) : [a.id]) {
      Validations.of(scope).acknowledge({ id, reason: a.reason });
    }
  }
}

/** The bare address of "Name <addr@example.com>" or "addr@example.com". */
export function addressOf(from: string): string {
  const angle = /<([^<>\s]+@[^<>\s]+)>\s*$/.exec(from);
  return (angle ? angle[1] : from).trim();
}

export class DigestStack extends Stack {
  readonly bucket: s3.Bucket;
  readonly stateMachine: sfn.StateMachine;
  readonly distribution: cloudfront.Distribution;
  readonly alarmTopic: sns.Topic;
  readonly fetchFunction: DigestFunction;
  readonly summarizeFunction: DigestFunction;
  readonly subscribeFunction?: DigestFunction;
  /** CloudWatch namespace of the handlers' own metrics: one per stack, so two deployments never mix. */
  readonly metricsNamespace: string;
  /** Wildcards AWS itself requires (cross-region inference profiles), listed for cdk-nag. */
  private readonly requiredWildcards: string[] = [];
  /** The cdk-nag IAM5 findings each function's store grants produce, acknowledged exactly. */
  private readonly storeFindings = new Map<DigestFunction, Set<string>>();

  constructor(scope: Construct, id: string, props: DigestStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.metricsNamespace = `${METRICS_NAMESPACE_PREFIX}/${this.stackName}`;
    const mailEnabled = config.email.transport === 'ses';
    const fromAddress = addressOf(config.email.from);
    const fromDomain = fromAddress.split('@')[1]?.toLowerCase() ?? '';
    if (mailEnabled && (!fromDomain || fromDomain === 'localhost' || !fromDomain.includes('.'))) {
      const message = `"${config.email.from}" must be an address on a domain you control to send with SES`;
      throw new ConfigError(`email.from: ${message}`, [{ key: 'email.from', message }]);
    }
    const zone = props.hostedZone?.zoneName.replace(/\.$/, '').toLowerCase();
    if (mailEnabled && zone && fromDomain !== zone && !fromDomain.endsWith(`.${zone}`)) {
      const message = `${fromDomain} is not in the hosted zone ${zone} given with -c hostedZoneName`;
      throw new ConfigError(`email.from: ${message}`, [{ key: 'email.from', message }]);
    }
    // EventBridge cron wants "?" in day-of-month or day-of-week; catch it at synth rather than mid-deploy.
    const cronFields = /^cron\((.*)\)$/.exec(config.schedule.cron)?.[1].split(' ') ?? [];
    if (cronFields.length === 6 && cronFields[2] !== '?' && cronFields[4] !== '?') {
      const message = 'day-of-month or day-of-week must be "?" in an EventBridge cron, e.g. "cron(0 7 * * ? *)"';
      throw new ConfigError(`schedule.cron: ${message}`, [{ key: 'schedule.cron', message }]);
    }
    if (config.network.allowHosts.length > 0) {
      Annotations.of(this).addWarning(
        'network.allowHosts lets the deployed fetcher reach private addresses; it is meant for local tests.',
      );
    }
    if (!config.alarms.email) {
      Annotations.of(this).addWarning('alarms.email is not set: alarms go to an SNS topic nobody is subscribed to.');
    }
    const configFile = this.writeBundledConfig(config);

    // Access logs of the bucket and the distribution; ACLs stay enabled (BucketOwnerPreferred) only because
    // CloudFront standard logging still delivers through them. Bounded: 90 days.
    const accessLogs = new s3.Bucket(this, 'AccessLogs', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(90) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(accessLogs, [
      { id: 'AwsSolutions-S1', reason: 'This is the access-log bucket itself; logging it into itself would loop.' },
    ]);

    // The one store: site/ (public through CloudFront only) and state/ (never public). Versioned because
    // state/subscribers/ and state/feeds/ are not reproducible; noncurrent versions expire after 30 days
    // so the history bounds its own cost. Raw article records and run reports expire per config.
    this.bucket = new s3.Bucket(this, 'Store', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 's3/',
      lifecycleRules: [
        { id: 'expire-article-records', prefix: PREFIXES.articles, expiration: Duration.days(config.retention.articleDays) },
        { id: 'expire-run-reports', prefix: PREFIXES.runs, expiration: Duration.days(config.retention.reportDays) },
        // Sign-up windows are an hour long: a client's file left untouched for 2 days holds nothing that counts.
        { id: 'expire-signup-limits', prefix: PREFIXES.limits, expiration: Duration.days(2) },
        // Story fingerprints are read back for digest.cluster.memoryDays days; kept as long as the articles they came from.
        {
          id: 'expire-story-memory',
          prefix: PREFIXES.stories,
          expiration: Duration.days(Math.max(config.retention.articleDays, config.digest.cluster.memoryDays + 1)),
        },
        {
          id: 'expire-noncurrent-versions',
          noncurrentVersionExpiration: Duration.days(30),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
        { id: 'remove-expired-delete-markers', expiredObjectDeleteMarker: true },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // --- Subscriptions API (issue 8): created only when mail goes through SES -------------------------
    let api: apigw.HttpApi | undefined;
    let mail:
      { identity: ses.EmailIdentity; configurationSet: ses.ConfigurationSet; tokenSecret: secretsmanager.Secret } | undefined;
    if (mailEnabled) {
      // Bounces and complaints put the address on the configuration set's suppression list, so SES stops
      // mailing it (no handler to run or pay for); TLS required, reputation metrics on.
      const configurationSet = new ses.ConfigurationSet(this, 'MailConfigurationSet', {
        suppressionReasons: ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
        reputationMetrics: true,
        tlsPolicy: ses.ConfigurationSetTlsPolicy.REQUIRE,
        sendingEnabled: true,
      });
      // The sender: email.from's domain with Easy DKIM (records published when the hosted zone is given).
      const identity = new ses.EmailIdentity(this, 'MailIdentity', {
        identity: props.hostedZone
          ? ses.Identity.publicHostedZone(
              route53.PublicHostedZone.fromPublicHostedZoneAttributes(this, 'MailZone', {
                hostedZoneId: props.hostedZone.zoneId,
                zoneName: props.hostedZone.zoneName,
              }),
            )
          : ses.Identity.domain(fromDomain),
        configurationSet,
      });
      // HMAC key for confirm/unsubscribe tokens, generated by CloudFormation so no person ever sees it.
      // Secrets Manager, because CloudFormation cannot create an SSM SecureString.
      const tokenSecret = new secretsmanager.Secret(this, 'TokenSecret', {
        description: 'rss-digest: HMAC key that signs subscription tokens',
        generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
        removalPolicy: RemovalPolicy.RETAIN,
      });
      acknowledge(tokenSecret, [
        {
          id: 'AwsSolutions-SMG4',
          reason:
            'Unsubscribe links in mails already sent are signed with this key and must keep working; rotating it would break them (RFC 8058 one-click).',
        },
      ]);
      mail = { identity, configurationSet, tokenSecret };

      // The public endpoint for subscribe/confirm/unsubscribe. Throttled per stage: a flood costs at most
      // rateLimit requests/s, and the handler limits sign-ups per address, per client and per hour (state/limits/, shared).
      const apiLogs = new logs.LogGroup(this, 'ApiAccessLogs', {
        retention: logs.RetentionDays.ONE_MONTH,
        removalPolicy: RemovalPolicy.DESTROY,
      });
      api = new apigw.HttpApi(this, 'SubscribeApi', { description: 'rss-digest subscriptions', createDefaultStage: false });
      api.addStage('DefaultStage', {
        stageName: '$default',
        autoDeploy: true,
        throttle: { rateLimit: 5, burstLimit: 20 },
        accessLogSettings: { destination: new apigw.LogGroupLogDestination(apiLogs) },
      });
      acknowledge(api, [
        {
          id: 'AwsSolutions-APIG4',
          reason:
            'Subscribing is public by design; abuse is bounded by stage throttling, body limits and the per-address, per-client and hourly sign-up limits the handler keeps in the bucket.',
        },
      ]);
    }

    // The site: CloudFront serves only site/ (origin path) through OAC; /api/* goes to the HTTP API so the
    // subscribe form posts to the same origin (CSP form-action 'self').
    const securityHeaders = this.responseHeadersPolicy('SiteHeaders', SITE_CSP, true);
    // Directory URLs → index.html ("/2026/11/29/"), and "/2026/11/29" redirected to its slash form.
    const indexRewrite = new cloudfront.Function(this, 'IndexRewrite', {
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      comment: 'rss-digest: serve index.html for folder URLs',
      code: cloudfront.FunctionCode.fromInline(INDEX_REWRITE_FUNCTION),
    });
    // The origin sees the bucket through a read-only view, so CDK does not add its usual bucket-wide
    // (bucket/*) OAC grant; the statement below grants CloudFront site/* and nothing else.
    const siteBucketView = s3.Bucket.fromBucketAttributes(this, 'SiteBucketView', {
      bucketArn: this.bucket.bucketArn,
      bucketName: this.bucket.bucketName,
      bucketRegionalDomainName: this.bucket.bucketRegionalDomainName,
    });
    const siteOrigin = origins.S3BucketOrigin.withOriginAccessControl(siteBucketView, {
      originPath: '/site',
      originAccessLevels: [cloudfront.AccessLevel.READ],
    });
    // Cheapest price class (NA + Europe edges); HTTP→HTTPS; compression; logs to the access-log bucket.
    this.distribution = new cloudfront.Distribution(this, 'Site', {
      comment: 'rss-digest site',
      defaultRootObject: 'index.html',
      // S3 answers 403 for a missing key (OAC has no ListBucket): readers get the site's 404 page instead.
      // The subscription API never answers 403, so this rewrites only missing site pages.
      errorResponses: [{ httpStatus: 403, responseHttpStatus: 404, responsePagePath: '/404.html', ttl: Duration.minutes(5) }],
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      enableLogging: true,
      logBucket: accessLogs,
      logFilePrefix: 'cloudfront/',
      defaultBehavior: {
        origin: siteOrigin,
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        compress: true,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: securityHeaders,
        functionAssociations: [{ function: indexRewrite, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }],
      },
      additionalBehaviors: api
        ? {
            '/api/*': {
              origin: new origins.HttpOrigin(Fn.select(2, Fn.split('/', api.apiEndpoint)), {
                protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
                originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
              }),
              viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
              allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
              cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
              originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
              // The endpoint's own pages set their CSP; the policy adds the other headers without overriding it.
              responseHeadersPolicy: this.responseHeadersPolicy('ApiHeaders', SITE_CSP, false),
            },
          }
        : undefined,
    });
    acknowledge(this.distribution, [
      {
        id: 'AwsSolutions-CFR4',
        reason:
          'The default *.cloudfront.net certificate fixes the viewer minimum at TLSv1; with a custom domain and ACM certificate set TLSv1.2_2021.',
      },
      { id: 'AwsSolutions-CFR1', reason: 'A public news digest: no geographic restriction is wanted.' },
      {
        id: 'AwsSolutions-CFR2',
        reason: 'Static files and a throttled endpoint; WAF (~$6+/month) is optional hardening, not required.',
      },
    ]);
    // CloudFront (this distribution only, via OAC) may read site/*; state/ stays out of its reach.
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudFrontReadsSiteOnly',
        principals: [new iam.ServicePrincipal('cloudfront.amazonaws.com')],
        actions: ['s3:GetObject'],
        resources: [this.bucket.arnForObjects(`${PREFIXES.site}*`)],
        conditions: {
          StringEquals: {
            'AWS:SourceArn': this.formatArn({
              service: 'cloudfront',
              region: '',
              resource: 'distribution',
              resourceName: this.distribution.distributionId,
            }),
          },
        },
      }),
    );
    Annotations.of(this).acknowledgeWarning(
      '@aws-cdk/aws-cloudfront-origins:updateImportedBucketPolicyOac',
      'Deliberate: the bucket policy grants CloudFront site/* only (statement CloudFrontReadsSiteOnly).',
    );
    const siteUrl = config.site.url?.replace(/\/+$/, '') ?? `https://${this.distribution.distributionDomainName}`;

    // --- Functions ---------------------------------------------------------------------------------
    const logRetention = logs.RetentionDays.ONE_MONTH;
    const common = { configFile, logRetention };
    const baseEnv: Record<string, string> = {
      NODE_OPTIONS: '--enable-source-maps',
      [DEPLOY_ENV.bucket]: this.bucket.bucketName,
      [DEPLOY_ENV.siteUrl]: siteUrl,
    };
    const mailEnv: Record<string, string> = mail
      ? {
          [DEPLOY_ENV.sesConfigurationSet]: mail.configurationSet.configurationSetName,
          [DEPLOY_ENV.tokenSecretId]: mail.tokenSecret.secretArn,
        }
      : {};

    // Fetch: every feed + article page, bounded by network.concurrency and Lambda's 15-minute ceiling
    // (the state machine is where a Distributed Map over feed shards goes when one run is not enough).
    this.fetchFunction = new DigestFunction(this, 'Fetch', {
      ...common,
      handler: 'fetch',
      description: 'rss-digest: fetch feeds and article pages into state/articles/',
      memorySize: 1024,
      timeout: Duration.minutes(15),
      environment: baseEnv,
    });
    this.grantStore(this.fetchFunction, STORE_ACCESS.fetch);

    // Summarize + publish (+ mail): reads the day's records, writes summaries, the site and run reports.
    this.summarizeFunction = new DigestFunction(this, 'Summarize', {
      ...common,
      handler: 'summarize',
      description: 'rss-digest: summarize, publish site/ and mail subscribers',
      memorySize: 1024,
      timeout: Duration.minutes(10),
      environment: { ...baseEnv, ...mailEnv, [DEPLOY_ENV.metricsNamespace]: this.metricsNamespace },
    });
    this.grantStore(this.summarizeFunction, STORE_ACCESS.summarize);
    this.grantSummarizer(config, this.summarizeFunction.role);

    if (mail && api) {
      // The digest mailer reads confirmed subscribers; who got today's mail is recorded under state/runs/.
      this.grantStore(this.summarizeFunction, STORE_ACCESS.summarizeMail);
      mail.tokenSecret.grantRead(this.summarizeFunction.role);
      this.grantSendMail(this.summarizeFunction.role, mail.identity, mail.configurationSet, fromAddress);

      // Subscribe endpoint: small requests, so small memory and a short timeout.
      this.subscribeFunction = new DigestFunction(this, 'Subscribe', {
        ...common,
        handler: 'subscribe',
        description: 'rss-digest: subscribe / confirm / unsubscribe endpoint',
        memorySize: 256,
        timeout: Duration.seconds(10),
        environment: { ...baseEnv, ...mailEnv },
      });
      this.grantStore(this.subscribeFunction, STORE_ACCESS.subscribe);
      mail.tokenSecret.grantRead(this.subscribeFunction.role);
      this.grantSendMail(this.subscribeFunction.role, mail.identity, mail.configurationSet, fromAddress);
      const integration = new HttpLambdaIntegration('SubscribeIntegration', this.subscribeFunction.function);
      api.addRoutes({ path: '/api/subscribe', methods: [apigw.HttpMethod.POST], integration });
      api.addRoutes({ path: '/api/confirm', methods: [apigw.HttpMethod.GET, apigw.HttpMethod.POST], integration });
      api.addRoutes({ path: '/api/unsubscribe', methods: [apigw.HttpMethod.GET, apigw.HttpMethod.POST], integration });
    }

    // --- Orchestration -----------------------------------------------------------------------------
    // A failed run is written to state/runs/failures/<execution>.json (expires with the run reports), then fails.
    const recordFailure = new tasks.CallAwsService(this, 'RecordFailure', {
      service: 's3',
      action: 'putObject',
      parameters: {
        Bucket: this.bucket.bucketName,
        Key: sfn.JsonPath.format(`${PREFIXES.failures}{}.json`, sfn.JsonPath.stringAt('$$.Execution.Name')),
        Body: sfn.JsonPath.jsonToString(sfn.JsonPath.objectAt('$')),
        ContentType: 'application/json',
      },
      iamResources: [this.bucket.arnForObjects(`${PREFIXES.failures}*`)],
      iamAction: 's3:PutObject',
      resultPath: sfn.JsonPath.DISCARD,
    }).next(
      new sfn.Fail(this, 'RunFailed', { error: 'DigestRunFailed', cause: 'See state/runs/failures/ and the function logs.' }),
    );

    const invoke = (id: string, fn: DigestFunction, timeout: Duration, payload?: sfn.TaskInput): tasks.LambdaInvoke => {
      const task = new tasks.LambdaInvoke(this, id, {
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
    const sfnLogs = new logs.LogGroup(this, 'RunLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // One daily run: fetch then publish. Bounded by a 40-minute execution timeout; logged and traced.
    this.stateMachine = new sfn.StateMachine(this, 'DailyRun', {
      comment: 'rss-digest daily run: fetch then summarize/publish',
      definitionBody: sfn.DefinitionBody.fromChainable(fetchTask.next(summarizeTask).next(new sfn.Succeed(this, 'Published'))),
      timeout: Duration.minutes(40),
      tracingEnabled: true,
      logs: { destination: sfnLogs, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });

    // The daily trigger: config cron in the config's IANA zone, so "07:00" stays 07:00 local across DST.
    const timezone = config.schedule.timezone ?? config.digest.timezone;
    new scheduler.Schedule(this, 'DailySchedule', {
      description: `rss-digest: ${config.schedule.cron} ${timezone}`,
      schedule: scheduler.ScheduleExpression.expression(config.schedule.cron, TimeZone.of(timezone)),
      target: new schedulerTargets.StepFunctionsStartExecution(this.stateMachine, {
        input: scheduler.ScheduleTargetInput.fromObject({ scheduledTime: scheduler.ContextAttribute.scheduledTime }),
        retryAttempts: 3,
        maxEventAge: Duration.hours(2),
      }),
    });

    // --- Alarms ------------------------------------------------------------------------------------
    // Every alarm mails the operator (alarms.email); TLS-only topic.
    this.alarmTopic = new sns.Topic(this, 'Alarms', { displayName: 'rss-digest alarms', enforceSSL: true });
    acknowledge(this.alarmTopic, [
      {
        id: 'AwsSolutions-SNS2',
        reason:
          'Alarm notices carry no data; CloudWatch cannot publish to a topic under the AWS-managed SNS key, and a CMK costs more than the rest of the stack.',
      },
    ]);
    if (config.alarms.email) this.alarmTopic.addSubscription(new snsSubscriptions.EmailSubscription(config.alarms.email));
    const notify = new cwActions.SnsAction(this.alarmTopic);
    const alarm = (id: string, description: string, props: Omit<cloudwatch.AlarmProps, 'alarmDescription'>): void => {
      const a = new cloudwatch.Alarm(this, id, { alarmDescription: description, ...props });
      a.addAlarmAction(notify);
    };
    const fiveMinutes = Duration.minutes(5);
    // Failures and errors alarm on the first one in a period; a period without a datapoint had none.
    const onFirstOccurrence = {
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    };
    alarm('RunFailedAlarm', 'A daily run failed (see state/runs/failures/).', {
      metric: this.stateMachine.metricFailed({ period: fiveMinutes, statistic: 'Sum' }),
      ...onFirstOccurrence,
    });
    alarm('RunTimedOutAlarm', 'A daily run hit its 40-minute timeout.', {
      metric: this.stateMachine.metricTimedOut({ period: fiveMinutes, statistic: 'Sum' }),
      ...onFirstOccurrence,
    });
    const functions: [string, DigestFunction | undefined][] = [
      ['Fetch', this.fetchFunction],
      ['Summarize', this.summarizeFunction],
      ['Subscribe', this.subscribeFunction],
    ];
    for (const [name, fn] of functions) {
      if (!fn) continue;
      alarm(`${name}ErrorsAlarm`, `The ${name.toLowerCase()} function threw errors.`, {
        metric: fn.function.metricErrors({ period: fiveMinutes, statistic: 'Sum' }),
        ...onFirstOccurrence,
      });
    }
    // "No digest today": no DigestsPublished datapoint in 26 consecutive hours (a day plus slack for a late run).
    alarm('NoDigestAlarm', 'No digest was published in the last 26 hours.', {
      metric: new cloudwatch.Metric({
        namespace: this.metricsNamespace,
        metricName: DIGEST_PUBLISHED_METRIC,
        period: Duration.hours(1),
        statistic: 'Sum',
      }),
      threshold: 1,
      evaluationPeriods: 26,
      datapointsToAlarm: 26,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });

    // --- Outputs -----------------------------------------------------------------------------------
    new CfnOutput(this, 'SiteUrl', { value: `${siteUrl}/`, description: 'The digest site' });
    new CfnOutput(this, 'StateMachineArn', {
      value: this.stateMachine.stateMachineArn,
      description: 'Start it to run a digest now',
    });
    new CfnOutput(this, 'BucketName', { value: this.bucket.bucketName, description: 'site/ and state/' });
    if (api && mail) {
      new CfnOutput(this, 'SubscribeEndpoint', {
        value: `${siteUrl}/api`,
        description: 'Subscription endpoint (site.subscribeEndpoint)',
      });
      new CfnOutput(this, 'ApiEndpoint', { value: api.apiEndpoint, description: 'The HTTP API behind /api/*' });
      if (!props.hostedZone) {
        mail.identity.dkimRecords.forEach(
          (record, i) =>
            new CfnOutput(this, `DkimRecord${i + 1}`, {
              value: Fn.join(' ', [record.name, 'CNAME', record.value]),
              description: 'Add to your DNS to verify the SES identity',
            }),
        );
      }
    }

    this.acknowledgeScopedWildcards();
  }

  /** Write the validated configuration where the bundler's hook copies it from; named by content hash. */
  private writeBundledConfig(config: Config): string {
    const json = serializeDeployedConfig(config);
    const hash = createHash('sha256').update(json).digest('hex').slice(0, 16);
    const dir = path.join(Stage.of(this)?.outdir ?? os.tmpdir(), 'rss-digest-config');
    mkdirSync(dir, { recursive: true });
    const file = path.resolve(dir, `config-${hash}.json`);
    writeFileSync(file, json);
    return file;
  }

  private responseHeadersPolicy(id: string, csp: string, overrideCsp: boolean): cloudfront.ResponseHeadersPolicy {
    // Strict browser security headers on every response (CSP, HSTS 2 years, nosniff, no framing, no referrer leak).
    return new cloudfront.ResponseHeadersPolicy(this, id, {
      comment: `rss-digest ${id}`,
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: csp, override: overrideCsp },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(730), includeSubdomains: true, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN, override: true },
      },
    });
  }

  /**
   * `grant*` on exactly the listed store prefixes: read (GetObject*, plus List on the bucket so a
   * missing key is a 404 rather than a 403), put (read + PutObject, no delete), write (put + delete).
   * Records the cdk-nag findings these grants produce, so exactly those are acknowledged.
   */
  private grantStore(
    fn: DigestFunction,
    access: { read: readonly string[]; put: readonly string[]; write: readonly string[] },
  ): void {
    const bucketId = this.getLogicalId(this.bucket.node.defaultChild as s3.CfnBucket);
    const findings = this.storeFindings.get(fn) ?? new Set<string>();
    this.storeFindings.set(fn, findings);
    const note = (prefix: string, ...actions: string[]): void => {
      for (const a of ['s3:GetBucket*', 's3:GetObject*', 's3:List*', ...actions]) findings.add(`Action::${a}`);
      findings.add(`Resource::<${bucketId}.Arn>/${prefix}*`);
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
   * Summaries from Bedrock need InvokeModel on exactly the configured model (or inference profile);
   * from an OpenAI-compatible API, read access to exactly the secret or parameter that holds its key.
   */
  private grantSummarizer(config: Config, role: iam.IRole): void {
    if (config.summarizer.kind === 'openai') {
      const name = config.summarizer.apiKeySecret;
      if (!name) return;
      if (name.startsWith('ssm:')) {
        // A SecureString under the account's aws/ssm key: decrypting through SSM needs no KMS grant.
        const parameter = name.slice(4).replace(/^\//, '');
        role.addToPrincipalPolicy(
          new iam.PolicyStatement({
            actions: ['ssm:GetParameter'],
            resources: [`arn:${this.partition}:ssm:${this.region}:${this.account}:parameter/${parameter}`],
          }),
        );
      } else {
        // Secrets Manager appends six random characters to a secret's ARN.
        role.addToPrincipalPolicy(
          new iam.PolicyStatement({
            actions: ['secretsmanager:GetSecretValue'],
            resources: [`arn:${this.partition}:secretsmanager:${this.region}:${this.account}:secret:${name}-??????`],
          }),
        );
      }
      return;
    }
    if (config.summarizer.kind !== 'bedrock') return;
    const region = config.summarizer.region ?? this.region;
    const modelId = config.summarizer.modelId;
    const profile = /^(us|eu|apac|us-gov|global)\.(.+)$/.exec(modelId);
    const resources = profile
      ? [
          `arn:${this.partition}:bedrock:${region}:${this.account}:inference-profile/${modelId}`,
          // A cross-region inference profile routes to the model in any of its regions, so AWS requires the region wildcard.
          `arn:${this.partition}:bedrock:*::foundation-model/${profile[2]}`,
        ]
      : [`arn:${this.partition}:bedrock:${region}::foundation-model/${modelId}`];
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['bedrock:InvokeModel'], resources }));
    if (profile) this.requiredWildcards.push(`Resource::arn:<AWS::Partition>:bedrock:*::foundation-model/${profile[2]}`);
  }

  /** SES v2 SendEmail authorizes both the identity and the configuration set; only from email.from. */
  private grantSendMail(
    role: iam.IRole,
    identity: ses.EmailIdentity,
    configurationSet: ses.ConfigurationSet,
    from: string,
  ): void {
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['ses:SendEmail', 'ses:SendRawEmail'],
        resources: [
          identity.emailIdentityArn,
          this.formatArn({ service: 'ses', resource: 'configuration-set', resourceName: configurationSet.configurationSetName }),
        ],
        conditions: { StringEquals: { 'ses:FromAddress': from } },
      }),
    );
  }

  /**
   * cdk-nag flags every `*` in a policy. The ones left are prefix-scoped object ARNs and the action
   * families `grant*` emits; each function acknowledges exactly the findings its own grants produce,
   * so any new wildcard still fails the check.
   */
  private acknowledgeScopedWildcards(): void {
    const bucketId = this.getLogicalId(this.bucket.node.defaultChild as s3.CfnBucket);
    const objectArn = (prefix: string): string => `Resource::<${bucketId}.Arn>/${prefix}*`;
    for (const [fn, findings] of this.storeFindings) {
      acknowledge(fn.role, [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            "Object access is limited to this function's store prefixes (prefix/*); the s3 action families are exactly what grantRead/grantPut/grantReadWrite emit.",
          appliesTo: [...findings, ...(fn === this.summarizeFunction ? this.requiredWildcards : [])],
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
    acknowledge(this.stateMachine, [
      {
        id: 'AwsSolutions-IAM5',
        reason:
          'The state machine may write failure records only under state/runs/failures/*; it invokes exactly the two functions (":*" covers their versions); X-Ray and log-delivery actions have no resource-level permissions.',
        appliesTo: [
          objectArn(PREFIXES.failures),
          'Resource::*',
          ...[this.fetchFunction, this.summarizeFunction].map(
            (fn) => `Resource::<${this.getLogicalId(fn.function.node.defaultChild as lambda.CfnFunction)}.Arn>:*`,
          ),
        ],
      },
    ]);
  }
}

/** CloudFront Function (JS 2.0 runtime): folder URLs get their index.html. */
export const INDEX_REWRITE_FUNCTION = `function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri.endsWith('/')) {
    request.uri = uri + 'index.html';
    return request;
  }
  var last = uri.substring(uri.lastIndexOf('/') + 1);
  if (last.indexOf('.') === -1) {
    return { statusCode: 301, statusDescription: 'Moved Permanently', headers: { location: { value: uri + '/' }, 'cache-control': { value: 'max-age=3600' } } };
  }
  return request;
}
`;
