import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AwsSecrets } from "../secrets/aws";
import { nameTags } from "../shared/tags";
import { transform } from "../shared/transform";
import type { BrokerEndpoint, QueueBrokerArgs } from "./args";
import { STOMP_TLS_PORT, stompHost } from "./endpoint";

/**
 * ActiveMQ on Amazon MQ: private (no public endpoint), single-instance or active/standby across
 * two zones, general and audit logs to CloudWatch Logs (with the resource policy Amazon MQ needs
 * to write them), automatic minor-version upgrades, encryption at rest with an AWS-owned key, and
 * a generated password in Secrets Manager. Services connect with STOMP over TLS on 61614.
 *
 * Cost: mq.t3.micro single-instance is in the 12-month free tier (750 hours); outside it about
 * $0.03/hour (~$22/month) plus $0.10/GB-month of storage. Active/standby needs mq.m5.large or
 * larger: about $0.29/hour per broker pair (~$210/month).
 */
export class AwsQueueBroker extends pulumi.ComponentResource {
  readonly endpoint: BrokerEndpoint;
  readonly queues: string[];

  constructor(name: string, args: QueueBrokerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("battle-ready:aws:QueueBroker", name, {}, opts);
    validateQueueBrokerArgs(name, args);
    const t = args.transform ?? {};
    const tags = args.tags ?? {};
    const mode = args.deploymentMode ?? "SINGLE_INSTANCE";
    const username = args.username ?? "battleready";

    const credentials = new AwsSecrets(
      `${name}-credentials`,
      {
        prefix: args.secretsPrefix ?? `battle-ready/${name}`,
        secrets: { [`${name}-user`]: { fields: { username }, description: `${name}: Amazon MQ user` } },
        tags,
        transform: t.secrets,
      },
      { parent: this },
    );
    const user = credentials.secret(`${name}-user`);
    const logsPolicy = new aws.cloudwatch.LogResourcePolicy(
      ...transform(
        t.logsPolicy,
        `${name}-mq-logs`,
        {
          policyName: `${args.namePrefix ?? name}-amazonmq-logs`,
          policyDocument: JSON.stringify({
            Version: "2012-10-17",
            Statement: [
              {
                Effect: "Allow",
                Principal: { Service: "mq.amazonaws.com" },
                Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
                Resource: "arn:aws:logs:*:*:log-group:/aws/amazonmq/*",
              },
            ],
          }),
        },
        { parent: this },
      ),
    );
    const broker = new aws.mq.Broker(
      ...transform(
        t.broker,
        `${name}-broker`,
        {
          engineType: "ActiveMQ",
          engineVersion: args.engineVersion ?? "5.18",
          hostInstanceType: args.instanceType ?? "mq.t3.micro",
          deploymentMode: mode,
          subnetIds:
            mode === "SINGLE_INSTANCE"
              ? [args.placement.subnetIds[0]!]
              : args.placement.subnetIds.slice(0, 2),
          securityGroups: args.placement.securityGroupIds,
          publiclyAccessible: false,
          autoMinorVersionUpgrade: true,
          encryptionOptions: { useAwsOwnedKey: true },
          logs: { general: true, audit: true },
          maintenanceWindowStartTime: { dayOfWeek: "SUNDAY", timeOfDay: "04:00", timeZone: "UTC" },
          users: [{ username, password: user.password, consoleAccess: false }],
          applyImmediately: false,
          tags: nameTags(name, tags),
        },
        { parent: this, dependsOn: [logsPolicy] },
      ),
    );
    this.queues = args.queues ?? [];
    this.endpoint = {
      host: broker.instances.apply((instances) =>
        instances.map((instance) => stompHost(instance.endpoints ?? [])).join(","),
      ),
      port: STOMP_TLS_PORT,
      username,
      secretArn: user.arn,
      brokerName: broker.brokerName,
      brokerArn: broker.arn,
    };
    this.registerOutputs({ host: this.endpoint.host, secretArn: this.endpoint.secretArn });
  }
}

export function validateQueueBrokerArgs(name: string, args: QueueBrokerArgs): void {
  const mode = args.deploymentMode ?? "SINGLE_INSTANCE";
  const type = args.instanceType ?? "mq.t3.micro";
  if (mode === "ACTIVE_STANDBY_MULTI_AZ" && type.startsWith("mq.t"))
    throw new Error(
      `QueueBroker ${name}: ${type} supports SINGLE_INSTANCE only; active/standby needs mq.m5 or larger`,
    );
  const needed = mode === "SINGLE_INSTANCE" ? 1 : 2;
  if (args.placement.subnetIds.length < needed)
    throw new Error(`QueueBroker ${name}: ${mode} needs ${needed} subnet(s) in placement.subnetIds`);
  for (const queue of args.queues ?? [])
    if (!/^[A-Za-z0-9._-]+$/.test(queue))
      throw new Error(`QueueBroker ${name}: queue name ${JSON.stringify(queue)} is not valid`);
}
