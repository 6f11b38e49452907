import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { DataStorePlacement } from "../data-store/args";
import type { SecretsArgs } from "../secrets/args";
import type { Transform } from "../shared/transform";

export type BrokerDeploymentMode = "SINGLE_INSTANCE" | "ACTIVE_STANDBY_MULTI_AZ";

export interface QueueBrokerArgs {
  /** Private subnets (the first one for a single instance, two for active/standby) and security groups. */
  placement: DataStorePlacement;
  /** @default "mq.t3.micro" (free tier: 750 hours a month for a year) */
  instanceType?: string;
  /** Active/standby needs an mq.m5 or mq.m7g instance type. @default "SINGLE_INSTANCE" */
  deploymentMode?: BrokerDeploymentMode;
  /** ActiveMQ major.minor; minor versions upgrade automatically. @default "5.18" */
  engineVersion?: string;
  /** The application user; its password is generated. @default "battleready" */
  username?: string;
  /** Queue names (without `/queue/`), for dashboards and alarms. @default [] */
  queues?: string[];
  /** Prefix of account-wide names (the logs resource policy), to keep stacks apart. @default the component name */
  namePrefix?: string;
  /** Path prefix for generated credentials in Secrets Manager. @default `battle-ready/<name>` */
  secretsPrefix?: string;
  /** Tags on every resource. @default {} */
  tags?: Record<string, string>;
  transform?: {
    broker?: Transform<aws.mq.BrokerArgs>;
    logsPolicy?: Transform<aws.cloudwatch.LogResourcePolicyArgs>;
    secrets?: SecretsArgs["transform"];
  };
}

/** How services reach the broker over STOMP+TLS. */
export interface BrokerEndpoint {
  /**
   * The instances' hosts, comma-separated: one, or the active/standby pair (the services' MQHOST
   * takes the list and fails over between them).
   */
  host: pulumi.Output<string>;
  port: number;
  username: string;
  /** Secrets Manager secret holding `{"username", "password"}`. */
  secretArn: pulumi.Output<string>;
  brokerName: pulumi.Output<string>;
  brokerArn: pulumi.Output<string>;
}
