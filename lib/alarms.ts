/**
 * Alarms: CloudWatch alarms on the daily run, the functions and the "no digest today" metric, all
 * notifying one SNS topic that mails the operator (alarms.email).
 *
 * Resources are created in the stack's own scope, so their logical IDs stay those of the
 * single-file stack this was split from (see lib/store-and-site.ts).
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as snsSubscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { DIGEST_PUBLISHED_METRIC } from '../lambdas/environment';
import { acknowledge } from './acknowledge';
import type { DigestFunction } from './digest-function';

export interface OperatorAlarmsProps {
  /** alarms.email: subscribed to the topic when set. */
  operatorEmail?: string;
  stateMachine: sfn.StateMachine;
  /** Each function's errors alarm, by the name the alarm carries (`<name>ErrorsAlarm`). */
  functions: [string, DigestFunction | undefined][];
  /** Namespace of the DigestsPublished metric. */
  metricsNamespace: string;
}

export class OperatorAlarms extends Construct {
  readonly topic: sns.Topic;

  constructor(scope: Construct, id: string, props: OperatorAlarmsProps) {
    super(scope, id);
    const stack = Stack.of(this);

    // Every alarm mails the operator (alarms.email); TLS-only topic.
    this.topic = new sns.Topic(stack, 'Alarms', { displayName: 'rss-digest alarms', enforceSSL: true });
    acknowledge(this.topic, [
      {
        id: 'AwsSolutions-SNS2',
        reason:
          'Alarm notices carry no data; CloudWatch cannot publish to a topic under the AWS-managed SNS key, and a CMK costs more than the rest of the stack.',
      },
    ]);
    if (props.operatorEmail) this.topic.addSubscription(new snsSubscriptions.EmailSubscription(props.operatorEmail));
    const notify = new cwActions.SnsAction(this.topic);
    const alarm = (alarmId: string, description: string, alarmProps: Omit<cloudwatch.AlarmProps, 'alarmDescription'>): void => {
      const a = new cloudwatch.Alarm(stack, alarmId, { alarmDescription: description, ...alarmProps });
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
      metric: props.stateMachine.metricFailed({ period: fiveMinutes, statistic: 'Sum' }),
      ...onFirstOccurrence,
    });
    alarm('RunTimedOutAlarm', 'A daily run hit its 40-minute timeout.', {
      metric: props.stateMachine.metricTimedOut({ period: fiveMinutes, statistic: 'Sum' }),
      ...onFirstOccurrence,
    });
    for (const [name, fn] of props.functions) {
      if (!fn) continue;
      alarm(`${name}ErrorsAlarm`, `The ${name.toLowerCase()} function threw errors.`, {
        metric: fn.function.metricErrors({ period: fiveMinutes, statistic: 'Sum' }),
        ...onFirstOccurrence,
      });
    }
    // "No digest today": no DigestsPublished datapoint in 26 consecutive hours (a day plus slack for a late run).
    alarm('NoDigestAlarm', 'No digest was published in the last 26 hours.', {
      metric: new cloudwatch.Metric({
        namespace: props.metricsNamespace,
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
  }
}
