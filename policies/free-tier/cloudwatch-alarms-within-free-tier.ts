import type { StackPolicy } from "../policy";

const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";

export const cloudwatchAlarmsWithinFreeTier: StackPolicy = {
  kind: "stack",
  name: "cloudwatch-alarms-within-free-tier",
  group: "free-tier",
  control: "AWS Free Tier (always free): CloudWatch 10 alarm metrics (standard resolution)",
  description: "The stack defines no more CloudWatch alarms than the always-free count.",
  defaults: { maxAlarms: 10 },
  check: (resources, s) => {
    const count = resources.filter((r) => r.type === ALARM).length;
    return count > (s.maxAlarms as number)
      ? [{ message: `${count} alarms, over the ${s.maxAlarms} that are free` }]
      : [];
  },
  examples: {
    violating: [Array.from({ length: 11 }, (_, i) => ({ type: ALARM, name: `a${i}`, props: {} }))],
    compliant: [Array.from({ length: 10 }, (_, i) => ({ type: ALARM, name: `a${i}`, props: {} }))],
  },
};
