/**
 * The defaults every rss-digest Lambda shares, set once: arm64, Node.js 22, esbuild bundle
 * (minified, source maps) with the validated configuration beside it, its own role (no managed
 * policies: it may write only to its own log group until the stack grants more), a log group
 * with a retention period, and structured JSON logs through Powertools.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import path from 'node:path';
import { BUNDLED_CONFIG_FILE } from '../lambdas/environment';
import { BUNDLE_SETTINGS, HANDLER_ENTRIES, PROJECT_ROOT, sidePackageCopyCommands, type HandlerName } from './handlers';

export interface DigestFunctionProps {
  handler: HandlerName;
  description: string;
  memorySize: number;
  timeout: Duration;
  /** Absolute path of the validated configuration JSON, copied into the bundle as config.json. */
  configFile: string;
  environment?: Record<string, string>;
  logRetention: logs.RetentionDays;
}

/** What every function of one stack shares: its bundled configuration, log retention and base environment. */
export interface SharedFunctionSettings {
  configFile: string;
  logRetention: logs.RetentionDays;
  /** Variables every handler reads (bucket, site URL, source maps). */
  environment: Record<string, string>;
}

/** Single-quote a path for the shell that runs esbuild's command hooks. */
const shellQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

export class DigestFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: DigestFunctionProps) {
    super(scope, id);

    // Log group owned by the stack so retention is bounded and the role can be scoped to it.
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    // A role per function: nothing but its own log stream until the stack grants exact prefixes.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `rss-digest ${props.handler} function`,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, 'Function', {
      entry: HANDLER_ENTRIES[props.handler],
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      description: props.description,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      role: this.role,
      logGroup: this.logGroup,
      environment: {
        POWERTOOLS_SERVICE_NAME: `rss-digest-${props.handler}`,
        POWERTOOLS_LOG_LEVEL: 'INFO',
        ...props.environment,
      },
      bundling: {
        ...BUNDLE_SETTINGS,
        format: OutputFormat.CJS,
        // The configuration travels inside the code asset: a config change changes the asset
        // hash, so `cdk deploy` alone ships new feeds, atomically with the code that reads them.
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (_inputDir: string, outputDir: string) => [
            `cp ${shellQuote(props.configFile)} ${shellQuote(path.join(outputDir, BUNDLED_CONFIG_FILE))}`,
            ...sidePackageCopyCommands(outputDir, shellQuote),
          ],
        },
      },
    });
  }
}
