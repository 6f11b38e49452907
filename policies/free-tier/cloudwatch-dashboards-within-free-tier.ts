import type { StackPolicy } from "../policy";

const DASHBOARD = "aws:cloudwatch/dashboard:Dashboard";

export const cloudwatchDashboardsWithinFreeTier: StackPolicy = {
  kind: "stack",
  name: "cloudwatch-dashboards-within-free-tier",
  group: "free-tier",
  control: "AWS Free Tier (always free): CloudWatch 3 dashboards of up to 50 metrics each",
  description: "The stack defines no more CloudWatch dashboards than the always-free count.",
  defaults: { maxDashboards: 3 },
  check: (resources, s) => {
    const count = resources.filter((r) => r.type === DASHBOARD).length;
    return count > (s.maxDashboards as number)
      ? [{ message: `${count} dashboards, over the ${s.maxDashboards} that are free` }]
      : [];
  },
  examples: {
    violating: [Array.from({ length: 4 }, (_, i) => ({ type: DASHBOARD, name: `d${i}`, props: {} }))],
    compliant: [[{ type: DASHBOARD, name: "d", props: {} }]],
  },
};
