#!/usr/bin/env node
/**
 * The CDK app: `npx cdk deploy -c config=digest.config.yaml`. The configuration file is the CLI's,
 * validated here with the same schema, so a bad key fails `cdk synth` with a message naming it.
 * cdk-nag's AwsSolutions pack checks every synth; an unsuppressed finding fails it.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import path from 'node:path';
import { ConfigError, loadConfigFile } from '../src/config';
import { DigestStack } from './digest-stack';

export interface BuildAppOptions {
  /** Configuration file (YAML or JSON); default: context `config`, else ./digest.config.yaml. */
  configFile?: string;
  /** Passed to `new App` (tests set outdir and context). */
  appProps?: ConstructorParameters<typeof App>[0];
  /** Run cdk-nag's AwsSolutions pack (default true). */
  nag?: boolean;
}

/**
 * Feature flags this app is written against, set here (not only in cdk.json) so tests synthesize
 * exactly what `cdk synth` does. CLI / cdk.json context still takes precedence.
 */
export const FEATURE_FLAGS: Record<string, unknown> = {
  '@aws-cdk/aws-iam:minimizePolicies': true,
  '@aws-cdk/core:checkSecretUsage': true,
  '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true,
  '@aws-cdk/aws-lambda-nodejs:useLatestRuntimeVersion': false,
  '@aws-cdk/aws-cloudfront:defaultSecurityPolicyTLSv1.2_2021': true,
};

export async function buildApp(options: BuildAppOptions = {}): Promise<{ app: App; stack: DigestStack }> {
  const app = new App({ ...options.appProps, context: { ...FEATURE_FLAGS, ...options.appProps?.context } });
  const context = (key: string): string | undefined => {
    const value: unknown = app.node.tryGetContext(key);
    return typeof value === 'string' && value ? value : undefined;
  };
  const configFile = path.resolve(options.configFile ?? context('config') ?? 'digest.config.yaml');
  const config = await loadConfigFile(configFile);
  const zoneId = context('hostedZoneId');
  const zoneName = context('hostedZoneName');
  if (zoneId && !zoneName) throw new Error("-c hostedZoneId needs -c hostedZoneName (the zone of email.from's domain)");
  const stack = new DigestStack(app, context('stackName') ?? 'RssDigest', {
    config,
    description: 'rss-digest: daily feed digest (site, schedule, subscriptions)',
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
    hostedZone: zoneId && zoneName ? { zoneId, zoneName } : undefined,
  });
  if (options.nag !== false) Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, stack };
}

if (require.main === module) {
  buildApp()
    .then(({ app }) => app.synth())
    .catch((err: unknown) => {
      process.stderr.write(`rss-digest: ${err instanceof ConfigError ? err.message : ((err as Error).stack ?? String(err))}\n`);
      process.exitCode = 1;
    });
}
