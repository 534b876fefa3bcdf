/**
 * The whole deployment, read top to bottom like an architecture document:
 *
 *   EventBridge Scheduler (cron + IANA zone) → Step Functions: fetch Lambda → summarize Lambda
 *   both Lambdas ↔ one private S3 bucket (state/ private, site/ public through CloudFront only)
 *   CloudFront (OAC, security headers) serves site/ and forwards /api/* to the HTTP API
 *   HTTP API (throttled) → subscribe Lambda; SES identity + configuration set send the mail
 *   CloudWatch alarms → SNS topic → the operator's email
 *
 * Each part is a construct in its own file, every resource in it with a one-line comment saying
 * why it exists and what bounds it:
 *
 *   lib/store-and-site.ts   StoreAndSite    the store bucket, its access logs, CloudFront
 *   lib/subscriptions.ts    Subscriptions   SES, the token secret, the HTTP API, the subscribe function
 *   lib/daily-run.ts        DailyRun        fetch and summarize functions, state machine, schedule
 *   lib/alarms.ts           OperatorAlarms  alarms → SNS → alarms.email
 *
 * This file checks what the configuration must satisfy to deploy, wires the parts and names the outputs.
 */
import { Annotations, CfnOutput, Fn, Stack, Stage, type StackProps } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, type Config } from '../src/config';
import { DEPLOY_ENV, serializeDeployedConfig } from '../lambdas/environment';
import { OperatorAlarms } from './alarms';
import type { RunBudget } from './run-budget';
import { DailyRun } from './daily-run';
import type { DigestFunction } from './digest-function';
import { StoreAndSite } from './store-and-site';
import { StoreGrants } from './store-grants';
import { Subscriptions } from './subscriptions';

export { TRANSIENT_ERRORS } from './daily-run';
export { INDEX_REWRITE_FUNCTION, PREFIXES, SITE_CSP } from './store-and-site';

export const METRICS_NAMESPACE_PREFIX = 'RssDigest';

export interface DigestStackProps extends StackProps {
  /** The validated configuration (src/config `loadConfigFile`), feeds from OPML already merged. */
  config: Config;
  /** Optional Route 53 public hosted zone of email.from's domain: the stack then publishes the DKIM records itself. */
  hostedZone?: { zoneId: string; zoneName: string };
}

/** The bare address of "Name <addr@example.com>" or "addr@example.com". */
export function addressOf(from: string): string {
  const angle = /<([^<>\s]+@[^<>\s]+)>\s*$/.exec(from);
  return (angle ? angle[1] : from).trim();
}

export class DigestStack extends Stack {
  readonly bucket: s3.Bucket;
  readonly stateMachine: sfn.StateMachine;
  /** The daily run's timeouts and retries (lib/run-budget.ts). */
  readonly runBudget: RunBudget;
  readonly distribution: cloudfront.Distribution;
  readonly alarmTopic: sns.Topic;
  readonly fetchFunction: DigestFunction;
  readonly summarizeFunction: DigestFunction;
  readonly subscribeFunction?: DigestFunction;
  /** CloudWatch namespace of the handlers' own metrics: one per stack, so two deployments never mix. */
  readonly metricsNamespace: string;

  constructor(scope: Construct, id: string, props: DigestStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.metricsNamespace = `${METRICS_NAMESPACE_PREFIX}/${this.stackName}`;
    const mailEnabled = config.email.transport === 'ses';
    const fromAddress = addressOf(config.email.from);
    const fromDomain = fromAddress.split('@')[1]?.toLowerCase() ?? '';
    this.checkDeployable(config, mailEnabled, fromDomain, props.hostedZone);

    const site = new StoreAndSite(this, 'StoreAndSite', { config });
    this.bucket = site.bucket;
    this.distribution = site.distribution;
    const storeGrants = new StoreGrants(this.bucket);
    // What every function shares; function logs are kept a month.
    const functions = {
      configFile: this.writeBundledConfig(config),
      logRetention: logs.RetentionDays.ONE_MONTH,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        [DEPLOY_ENV.bucket]: this.bucket.bucketName,
        [DEPLOY_ENV.siteUrl]: site.siteUrl,
      },
    };

    const subscriptions = mailEnabled
      ? new Subscriptions(this, 'Subscriptions', {
          fromAddress,
          fromDomain,
          hostedZone: props.hostedZone,
          site,
          storeGrants,
          functions,
        })
      : undefined;
    this.subscribeFunction = subscriptions?.subscribeFunction;

    const run = new DailyRun(this, 'DailyRunOrchestration', {
      config,
      bucket: this.bucket,
      storeGrants,
      functions,
      metricsNamespace: this.metricsNamespace,
      subscriptions,
    });
    this.fetchFunction = run.fetchFunction;
    this.summarizeFunction = run.summarizeFunction;
    this.stateMachine = run.stateMachine;
    this.runBudget = run.budget;
    storeGrants.acknowledgeFindings(new Map([[run.summarizeFunction, run.requiredWildcards]]));

    this.alarmTopic = new OperatorAlarms(this, 'OperatorAlarms', {
      operatorEmail: config.alarms.email,
      stateMachine: this.stateMachine,
      functions: [
        ['Fetch', this.fetchFunction],
        ['Summarize', this.summarizeFunction],
        ['Subscribe', this.subscribeFunction],
      ],
      metricsNamespace: this.metricsNamespace,
    }).topic;

    // --- Outputs -----------------------------------------------------------------------------------
    new CfnOutput(this, 'SiteUrl', { value: `${site.siteUrl}/`, description: 'The digest site' });
    new CfnOutput(this, 'StateMachineArn', {
      value: this.stateMachine.stateMachineArn,
      description: 'Start it to run a digest now',
    });
    new CfnOutput(this, 'BucketName', { value: this.bucket.bucketName, description: 'site/ and state/' });
    if (subscriptions) {
      new CfnOutput(this, 'SubscribeEndpoint', {
        value: `${site.siteUrl}/api`,
        description: 'Subscription endpoint (site.subscribeEndpoint)',
      });
      new CfnOutput(this, 'ApiEndpoint', { value: subscriptions.api.apiEndpoint, description: 'The HTTP API behind /api/*' });
      if (!props.hostedZone) {
        subscriptions.identity.dkimRecords.forEach(
          (record, i) =>
            new CfnOutput(this, `DkimRecord${i + 1}`, {
              value: Fn.join(' ', [record.name, 'CNAME', record.value]),
              description: 'Add to your DNS to verify the SES identity',
            }),
        );
      }
    }
  }

  /** What a configuration must satisfy to deploy, checked at synth rather than mid-deploy. */
  private checkDeployable(
    config: Config,
    mailEnabled: boolean,
    fromDomain: string,
    hostedZone: DigestStackProps['hostedZone'],
  ): void {
    if (mailEnabled && (!fromDomain || fromDomain === 'localhost' || !fromDomain.includes('.'))) {
      const message = `"${config.email.from}" must be an address on a domain you control to send with SES`;
      throw new ConfigError(`email.from: ${message}`, [{ key: 'email.from', message }]);
    }
    const zone = hostedZone?.zoneName.replace(/\.$/, '').toLowerCase();
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
}
