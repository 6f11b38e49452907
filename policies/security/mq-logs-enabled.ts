import { rule } from "../rule";

export const mqLogsEnabled = rule({
  name: "mq-logs-enabled",
  control: "Checkov CKV_AWS_48; Security Hub FSBP MQ.2",
  description: "ActiveMQ brokers stream general and audit logs to CloudWatch Logs.",
  type: "aws:mq/broker:Broker",
  holds: (p) => p.logs?.general === true && p.logs?.audit === true,
  message: "logs.general and logs.audit must be true",
  violating: [{}, { logs: { general: true } }],
  compliant: [{ logs: { general: true, audit: true } }],
});
