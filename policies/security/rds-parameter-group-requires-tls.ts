import { type ResourcePolicy, violations } from "../policy";

const TLS_ON = new Set(["1", "ON", "on", "true"]);

export const rdsParameterGroupRequiresTls: ResourcePolicy = {
  kind: "resource",
  name: "rds-parameter-group-requires-tls",
  group: "security",
  control: "Checkov CKV2_AWS_69 (require_secure_transport); Security Hub FSBP RDS encryption in transit",
  description: "MySQL/MariaDB parameter groups set require_secure_transport, so every connection is TLS.",
  types: ["aws:rds/parameterGroup:ParameterGroup"],
  check: (props) => {
    if (!/^(mysql|mariadb)/.test(String(props.family ?? ""))) return [];
    const parameters = (props.parameters ?? []) as { name: string; value: string }[];
    const tls = parameters.find((p) => p.name === "require_secure_transport");
    return violations([!tls || !TLS_ON.has(String(tls.value)), "require_secure_transport must be ON"]);
  },
  examples: {
    violating: [
      [{ type: "aws:rds/parameterGroup:ParameterGroup", props: { family: "mysql8.0", parameters: [] } }],
    ],
    compliant: [
      [
        {
          type: "aws:rds/parameterGroup:ParameterGroup",
          props: { family: "mysql8.0", parameters: [{ name: "require_secure_transport", value: "1" }] },
        },
      ],
    ],
  },
};
