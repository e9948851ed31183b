import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { StageQueue } from './stage-queue.js';

export interface MonitoredStage {
  name: 'extract' | 'normalize' | 'load';
  fn: lambda.IFunction;
  queue: StageQueue;
}

/** How long a message may wait before the stage is considered stuck. */
const OLDEST_MESSAGE_LIMIT = Duration.hours(1);

/**
 * Alarms (dead letters, a stuck queue, function errors) sent to an encrypted SNS topic, and a
 * dashboard of what the stages report in EMF (per stage and table) beside queue and function figures.
 */
export class Monitoring extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: { stages: MonitoredStage[]; alarmEmail?: string }) {
    super(scope, id);
    const key = new kms.Key(this, 'TopicKey', {
      enableKeyRotation: true,
      description: 'Sluice: encrypts the alarm topic',
    });
    // CloudWatch publishes alarms to the encrypted topic
    key.grant(new iam.ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    this.topic = new sns.Topic(this, 'Alarms', { masterKey: key, enforceSSL: true });
    if (props.alarmEmail) this.topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));

    for (const stage of props.stages) {
      this.alarm(`${stage.name}-dead-letters`, {
        metric: stage.queue.deadLetters.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(1),
        }),
        threshold: 0,
        alarmDescription: `Sluice ${stage.name}: messages in the dead-letter queue (packages that failed every retry)`,
      });
      this.alarm(`${stage.name}-oldest-message`, {
        metric: stage.queue.queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(5) }),
        threshold: OLDEST_MESSAGE_LIMIT.toSeconds(),
        alarmDescription: `Sluice ${stage.name}: a message has waited over ${OLDEST_MESSAGE_LIMIT.toHumanString()}`,
      });
      this.alarm(`${stage.name}-errors`, {
        metric: stage.fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
        threshold: 0,
        alarmDescription: `Sluice ${stage.name}: the function failed`,
      });
    }

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { defaultInterval: Duration.days(1) });
    const perTable = (metric: string, stage: string) =>
      new cloudwatch.MathExpression({
        expression: `SEARCH('{Sluice,pipeline,service,stage,table} MetricName="${metric}" stage="${stage}"', 'Sum', 300)`,
        label: '',
        period: Duration.minutes(5),
      });
    const perStage = (metric: string, statistic: string) =>
      new cloudwatch.MathExpression({
        expression: `SEARCH('{Sluice,pipeline,service,stage} MetricName="${metric}"', '${statistic}', 300)`,
        label: '',
        period: Duration.minutes(5),
      });
    const graph = (title: string, metric: cloudwatch.IMetric, width: number) =>
      new cloudwatch.GraphWidget({ title, left: [metric], width });
    this.dashboard.addWidgets(
      graph('Rows loaded per table', perTable('Rows', 'load'), 12),
      graph('Bytes staged per table', perTable('Bytes', 'normalize'), 12),
      graph('Packages per stage', perStage('Packages', 'Sum'), 8),
      graph('Items extracted and normalized', perStage('Items', 'Sum'), 8),
      graph('Seconds per package (p90)', perStage('Seconds', 'p90'), 8),
      new cloudwatch.GraphWidget({
        title: 'Queue depth',
        left: props.stages.map((s) =>
          s.queue.queue.metricApproximateNumberOfMessagesVisible({
            label: s.name,
            period: Duration.minutes(1),
          }),
        ),
        right: props.stages.map((s) =>
          s.queue.deadLetters.metricApproximateNumberOfMessagesVisible({
            label: `${s.name} dead letters`,
            period: Duration.minutes(1),
          }),
        ),
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Function errors and duration',
        left: props.stages.map((s) => s.fn.metricErrors({ label: `${s.name} errors`, statistic: 'Sum' })),
        right: props.stages.map((s) => s.fn.metricDuration({ label: `${s.name} p90`, statistic: 'p90' })),
        width: 12,
      }),
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24 }),
    );
  }

  private alarm(
    id: string,
    props: { metric: cloudwatch.IMetric; threshold: number; alarmDescription: string },
  ) {
    const alarm = new cloudwatch.Alarm(this, id, {
      ...props,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new actions.SnsAction(this.topic));
    this.alarms.push(alarm);
  }
}
