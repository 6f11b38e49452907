import { rule } from "../rule";

export const rdsCustomParameterGroup = rule({
  name: "rds-custom-parameter-group",
  control: "AWS RDS guide: require SSL/TLS through a custom DB parameter group; Checkov CKV2_AWS_69",
  description: "RDS instances use the platform's own parameter group (the default group cannot require TLS).",
  type: "aws:rds/instance:Instance",
  holds: (p) =>
    typeof p.parameterGroupName === "string" &&
    p.parameterGroupName.length > 0 &&
    !p.parameterGroupName.startsWith("default."),
  message: "parameterGroupName must name a custom parameter group that requires TLS",
  violating: [{}, { parameterGroupName: "default.mysql8.0" }],
  compliant: [{ parameterGroupName: "battle-ready-mysql" }],
});
