import type { StackPolicy } from "../policy";

const DATA = new Set(["aws:rds/instance:Instance", "aws:dynamodb/table:Table"]);

export const backupPlanPresent: StackPolicy = {
  kind: "stack",
  name: "backup-plan-present",
  group: "security",
  control: "Security Hub FSBP RDS.26 and DynamoDB.4 (protected by a backup plan)",
  description: "A stack with RDS or DynamoDB data has an AWS Backup plan and a selection covering it.",
  check: (resources) => {
    const data = resources.filter((r) => DATA.has(r.type));
    if (data.length === 0) return [];
    const plans = resources.filter((r) => r.type === "aws:backup/plan:Plan");
    const selections = resources.filter((r) => r.type === "aws:backup/selection:Selection");
    if (plans.length === 0 || selections.length === 0)
      return [
        { resource: data[0], message: "no AWS Backup plan with a selection covers the stack's data stores" },
      ];
    return [];
  },
  examples: {
    violating: [[{ type: "aws:rds/instance:Instance", name: "db", urn: "u1", props: {} }]],
    compliant: [
      [
        { type: "aws:rds/instance:Instance", name: "db", urn: "u1", props: {} },
        { type: "aws:backup/plan:Plan", name: "plan", urn: "u2", props: {} },
        { type: "aws:backup/selection:Selection", name: "sel", urn: "u3", props: {} },
      ],
    ],
  },
};
