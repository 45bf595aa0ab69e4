import type { Template } from 'aws-cdk-lib/assertions';

type Resource = { Type: string; Properties?: Record<string, unknown> };
type Alarm = {
  MetricName?: string;
  Namespace?: string;
  Dimensions?: Array<{ Name: string; Value: unknown }>;
  Metrics?: Array<{ MetricStat?: { Metric: { MetricName: string; Namespace: string; Dimensions?: Array<{ Name: string; Value: unknown }> } } }>;
  AlarmActions?: unknown[];
  Threshold?: number;
};

export interface Coverage {
  /** `<stack>/<logicalId> (<type>): what is missing`. */
  readonly uncovered: string[];
  /** Alarms per kind (metric name), and in all. */
  readonly kinds: Record<string, number>;
  readonly total: number;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** The metrics an alarm watches: its own, or those of its metric math. */
function metricsOf(alarm: Alarm): Array<{ name: string; namespace: string; dimensions: Array<{ Name: string; Value: unknown }> }> {
  if (alarm.MetricName) return [{ name: alarm.MetricName, namespace: alarm.Namespace ?? '', dimensions: alarm.Dimensions ?? [] }];
  return (alarm.Metrics ?? []).flatMap((m) =>
    m.MetricStat ? [{ name: m.MetricStat.Metric.MetricName, namespace: m.MetricStat.Metric.Namespace, dimensions: m.MetricStat.Metric.Dimensions ?? [] }] : [],
  );
}

/**
 * Which functions and queues of the templates have no alarm with an action to the operator topic:
 * every AWS::Lambda::Function needs an `Errors` and a `Throttles` alarm on its name, every
 * AWS::SQS::Queue (each one is a dead-letter or on-failure destination) an
 * `ApproximateNumberOfMessagesVisible` alarm on its name; every alarm must notify `topic`.
 *
 * @param templates by stack name; imports already resolved (resolveImports), nested stacks folded in
 * @param topic the operator topic as the templates name it after resolution (`{ Ref: <id> }`)
 */
export function alarmCoverage(templates: Record<string, Template>, topic: unknown): Coverage {
  const uncovered: string[] = [];
  const kinds: Record<string, number> = {};
  let total = 0;
  for (const [stack, template] of Object.entries(templates)) {
    const resources = template.toJSON().Resources as Record<string, Resource>;
    const alarms = Object.entries(resources)
      .filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm')
      .map(([id, r]) => [id, r.Properties as Alarm] as const);
    for (const [id, alarm] of alarms) {
      total += 1;
      const name = metricsOf(alarm).map((m) => m.name).join('+');
      kinds[name] = (kinds[name] ?? 0) + 1;
      if (!(alarm.AlarmActions ?? []).some((a) => same(a, topic))) uncovered.push(`${stack}/${id} (alarm ${name}): no action to the operator topic`);
    }
    const watched = (metricName: string, dimension: string, value: unknown) =>
      alarms.some(([, a]) => (a.AlarmActions ?? []).some((x) => same(x, topic)) && metricsOf(a).some((m) => m.name === metricName && m.dimensions.some((d) => d.Name === dimension && same(d.Value, value))));
    for (const [id, r] of Object.entries(resources)) {
      if (r.Type === 'AWS::Lambda::Function') {
        for (const metric of ['Errors', 'Throttles']) {
          if (!watched(metric, 'FunctionName', { Ref: id })) uncovered.push(`${stack}/${id} (function): no ${metric} alarm`);
        }
      }
      if (r.Type === 'AWS::SQS::Queue' && !watched('ApproximateNumberOfMessagesVisible', 'QueueName', { 'Fn::GetAtt': [id, 'QueueName'] })) {
        uncovered.push(`${stack}/${id} (queue): no messages-visible alarm`);
      }
    }
  }
  return { uncovered, kinds, total };
}
