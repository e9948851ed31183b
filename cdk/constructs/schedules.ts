import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { SluiceConfig } from '../../shared/config/pipelines.js';

/**
 * One EventBridge rule per configured schedule. The extract function gets the scheduled event's
 * own shape with the pipeline's name in `detail`, so one function serves every pipeline.
 */
export class PipelineSchedules extends Construct {
  readonly rules: events.Rule[] = [];

  constructor(scope: Construct, id: string, props: { config: SluiceConfig; extract: lambda.IFunction }) {
    super(scope, id);
    for (const pipeline of props.config.pipelines) {
      pipeline.schedules.forEach((schedule, n) => {
        const rule = new events.Rule(this, `${pipeline.name}-${n}`, {
          description: `Sluice: pull pipeline ${pipeline.name} on ${schedule.expression}`,
          schedule: events.Schedule.expression(schedule.expression),
        });
        rule.addTarget(
          new targets.LambdaFunction(props.extract, {
            event: events.RuleTargetInput.fromObject({
              version: '0',
              id: events.EventField.eventId,
              'detail-type': 'Scheduled Event',
              source: 'aws.events',
              account: events.EventField.account,
              time: events.EventField.time,
              region: events.EventField.region,
              resources: events.EventField.fromPath('$.resources'),
              detail: { pipeline: pipeline.name },
            }),
            retryAttempts: 2,
          }),
        );
        this.rules.push(rule);
      });
    }
  }
}
