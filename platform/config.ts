import * as pulumi from "@pulumi/pulumi";
import type { RealizationName } from "../components/shared/realization";
import { KUBERNETES_CONFIG_DEFAULTS } from "./kubernetes/config";

/**
 * The platform's stack configuration: typed, validated, every default in one table (which the
 * `config:` block of Pulumi.yaml mirrors; a test keeps the two equal). Every difference between
 * dev, staging and prod is one of these keys: the components never look at the stack's name.
 */

export const CONFIG_NAMESPACE = "battle-ready";

/** Each key's default, as Pulumi.yaml declares it. */
export const CONFIG_DEFAULTS = {
  realization: "aws",
  logLevel: "info",
  awsEndpoint: "",
  deletionProtection: false,
  vpcCidr: "10.0.0.0/16",
  natGateways: 0,
  availabilityZones: [] as string[],
  vpcFlowLogRetentionDays: 0,
  fleetInstanceType: "t3.micro",
  fleetMinInstances: 1,
  fleetMaxInstances: 2,
  fleetRootVolumeGiB: 30,
  fleetTargetCapacity: 100,
  certificateArn: "",
  publicDomain: "",
  albAccessLogRetentionDays: 30,
  tasksMinPerService: 1,
  tasksMaxFactor: 1,
  tasksMaxPerService: 0,
  tasksReservationPercent: 100,
  mysqlInstanceClass: "db.t3.micro",
  mysqlEngineVersion: "8.4",
  mysqlStorageGiB: 20,
  mysqlMaxStorageGiB: 0,
  mysqlMultiAz: false,
  mysqlBackupRetentionDays: 7,
  redisNodeType: "cache.t3.micro",
  redisReplicas: 0,
  redisSnapshotRetentionDays: 1,
  mqInstanceType: "mq.t3.micro",
  mqDeploymentMode: "SINGLE_INSTANCE",
  dynamodbBillingMode: "PROVISIONED",
  dynamodbCapacityBudget: 25,
  backupRetentionDays: 7,
  backupSchedule: "cron(0 3 * * ? *)",
  backupContinuous: false,
  logRetentionDays: 7,
  alertEmails: [] as string[],
  alarmBudget: 0,
  singleDashboard: false,
  encryptAlertTopic: true,
  imageTag: "",
  imagePlatform: "linux/amd64",
  /** The kubernetes realization's own keys (platform/kubernetes/config.ts). */
  ...KUBERNETES_CONFIG_DEFAULTS,
};

export type ConfigKey = keyof typeof CONFIG_DEFAULTS;

/** The one optional secret key: an HTTPS webhook (with its token) subscribed to alerts. */
export const ALERT_WEBHOOK_KEY = "alertWebhookUrl";

export interface PlatformConfig {
  realization: RealizationName;
  logLevel: string;
  /** LocalStack (or another AWS-compatible) endpoint; every AWS service goes there. */
  awsEndpoint?: string;
  deletionProtection: boolean;
  network: {
    vpcCidr: string;
    natGateways: 0 | 1 | 2;
    availabilityZones?: string[];
    /** 0: no flow logs. */
    flowLogRetentionDays: number;
  };
  fleet: {
    instanceType: string;
    minInstances: number;
    maxInstances: number;
    rootVolumeGiB: number;
    targetCapacityPercent: number;
    certificateArn?: string;
    publicDomain?: string;
    /** Days the ALB's access logs are kept in S3; 0: no access logs (and no bucket). */
    accessLogRetentionDays: number;
  };
  tasks: { minPerService: number; maxFactor: number; maxPerService: number; reservationPercent: number };
  mysql: {
    instanceClass: string;
    engineVersion: string;
    storageGiB: number;
    maxStorageGiB: number;
    multiAz: boolean;
    backupRetentionDays: number;
  };
  redis: { nodeType: string; replicas: number; snapshotRetentionDays: number };
  activemq: { instanceType: string; deploymentMode: "SINGLE_INSTANCE" | "ACTIVE_STANDBY_MULTI_AZ" };
  dynamodb: { billingMode: "PROVISIONED" | "PAY_PER_REQUEST"; capacityBudget: number };
  backup: { retentionDays: number; schedule: string; continuous: boolean };
  observability: {
    logRetentionDays: number;
    alertEmails: string[];
    /** Secret output, present only when the stack sets `alertWebhookUrl`. */
    alertWebhookUrl?: pulumi.Output<string>;
    alarmBudget: number;
    singleDashboard: boolean;
    encryptAlertTopic: boolean;
  };
  images: { tag?: string; platform: string };
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** CloudWatch Logs accepts only these retention periods (days). */
const LOG_RETENTIONS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];
const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace"];

/**
 * Parses and validates the platform's config from raw values as the engine passes them (strings;
 * lists JSON-encoded). `read` returns undefined for an unset key; defaults fill the gaps. Throws a
 * ConfigError such as `config battle-ready:fleetMaxInstances: must be ≥ fleetMinInstances (1 < 2)`.
 */
export function parsePlatformConfig(
  read: (key: string) => string | undefined,
  secrets: { alertWebhookUrl?: pulumi.Output<string> } = {},
): PlatformConfig {
  const fail = (key: string, problem: string): never => {
    throw new ConfigError(`config ${CONFIG_NAMESPACE}:${key}: ${problem}`);
  };
  const raw = (key: ConfigKey) => {
    const value = read(key);
    return value === undefined || value === "" ? undefined : value;
  };
  const str = (key: ConfigKey): string => raw(key) ?? (CONFIG_DEFAULTS[key] as string);
  const optionalStr = (key: ConfigKey): string | undefined => raw(key);
  const int = (key: ConfigKey, min: number, max = Number.MAX_SAFE_INTEGER): number => {
    const value = raw(key);
    if (value === undefined) return CONFIG_DEFAULTS[key] as number;
    if (!/^-?\d+$/.test(value)) fail(key, `must be an integer (got ${JSON.stringify(value)})`);
    const n = Number(value);
    if (n < min || n > max) fail(key, `must be between ${min} and ${max} (got ${n})`);
    return n;
  };
  const bool = (key: ConfigKey): boolean => {
    const value = raw(key);
    if (value === undefined) return CONFIG_DEFAULTS[key] as boolean;
    if (value !== "true" && value !== "false")
      fail(key, `must be true or false (got ${JSON.stringify(value)})`);
    return value === "true";
  };
  const list = (key: ConfigKey): string[] => {
    const value = raw(key);
    if (value === undefined) return [...(CONFIG_DEFAULTS[key] as string[])];
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      fail(key, `must be a list (got ${JSON.stringify(value)})`);
    }
    if (!Array.isArray(parsed) || !parsed.every((v) => typeof v === "string"))
      fail(key, "must be a list of strings");
    return parsed as string[];
  };
  const oneOf = <T extends string>(key: ConfigKey, allowed: readonly T[]): T => {
    const value = str(key);
    if (!allowed.includes(value as T))
      fail(key, `must be one of ${allowed.join(", ")} (got ${JSON.stringify(value)})`);
    return value as T;
  };

  const realization = oneOf("realization", ["aws", "kubernetes"] as const);
  const logLevel = oneOf("logLevel", LOG_LEVELS);
  const awsEndpoint = optionalStr("awsEndpoint");
  if (awsEndpoint && !/^https?:\/\/[^\s/]+(:\d+)?\/?$/.test(awsEndpoint))
    fail(
      "awsEndpoint",
      `must be a base URL such as http://localhost:4566 (got ${JSON.stringify(awsEndpoint)})`,
    );

  const vpcCidr = str("vpcCidr");
  const cidr = /^(\d{1,3}\.){3}\d{1,3}\/(\d{1,2})$/.exec(vpcCidr);
  if (!cidr || Number(cidr[2]) < 16 || Number(cidr[2]) > 24)
    fail("vpcCidr", `must be an IPv4 block from /16 to /24 (got ${JSON.stringify(vpcCidr)})`);
  const natGateways = int("natGateways", 0, 2) as 0 | 1 | 2;
  const zones = list("availabilityZones");
  if (zones.length !== 0 && zones.length !== 2)
    fail("availabilityZones", `must list exactly 2 zones, or none (got ${zones.length})`);

  const flowLogRetentionDays = int("vpcFlowLogRetentionDays", 0, 3653);
  if (flowLogRetentionDays !== 0 && !LOG_RETENTIONS.includes(flowLogRetentionDays))
    fail("vpcFlowLogRetentionDays", `must be 0 or one of CloudWatch's periods (got ${flowLogRetentionDays})`);

  const minInstances = int("fleetMinInstances", 0, 100);
  const maxInstances = int("fleetMaxInstances", 1, 100);
  if (maxInstances < minInstances)
    fail("fleetMaxInstances", `must be ≥ fleetMinInstances (${maxInstances} < ${minInstances})`);
  const certificateArn = optionalStr("certificateArn");
  if (
    certificateArn &&
    !/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[A-Za-z0-9-]+$/.test(certificateArn)
  )
    fail("certificateArn", `must be an ACM certificate ARN (got ${JSON.stringify(certificateArn)})`);
  const publicDomain = optionalStr("publicDomain");
  if (publicDomain && !/^([a-z0-9-]+\.)+[a-z]{2,}$/.test(publicDomain))
    fail("publicDomain", `must be a DNS domain such as example.com (got ${JSON.stringify(publicDomain)})`);

  const storage = int("mysqlStorageGiB", 20, 65536);
  const maxStorage = int("mysqlMaxStorageGiB", 0, 65536);
  if (maxStorage !== 0 && maxStorage <= storage)
    fail(
      "mysqlMaxStorageGiB",
      `must be 0 (no autoscaling) or above mysqlStorageGiB (${maxStorage} ≤ ${storage})`,
    );
  const engineVersion = str("mysqlEngineVersion");
  if (!/^\d+\.\d+$/.test(engineVersion))
    fail("mysqlEngineVersion", `must be major.minor such as 8.4 (got ${engineVersion})`);

  const mqInstanceType = str("mqInstanceType");
  const mqDeploymentMode = oneOf("mqDeploymentMode", ["SINGLE_INSTANCE", "ACTIVE_STANDBY_MULTI_AZ"] as const);
  if (mqDeploymentMode === "ACTIVE_STANDBY_MULTI_AZ" && mqInstanceType.startsWith("mq.t"))
    fail(
      "mqDeploymentMode",
      `ACTIVE_STANDBY_MULTI_AZ needs mqInstanceType mq.m5.large or larger (got ${mqInstanceType})`,
    );

  const billingMode = oneOf("dynamodbBillingMode", ["PROVISIONED", "PAY_PER_REQUEST"] as const);
  const capacityBudget = int("dynamodbCapacityBudget", 0, 80000);

  const backupRetention = int("backupRetentionDays", 1, 36500);
  const backupContinuous = bool("backupContinuous");
  if (backupContinuous && backupRetention > 35)
    fail("backupRetentionDays", `continuous backups keep at most 35 days (got ${backupRetention})`);
  const backupSchedule = str("backupSchedule");
  if (!/^cron\(.+\)$/.test(backupSchedule))
    fail("backupSchedule", `must be an AWS cron(...) expression (got ${backupSchedule})`);

  const logRetentionDays = int("logRetentionDays", 1, 3653);
  if (!LOG_RETENTIONS.includes(logRetentionDays))
    fail(
      "logRetentionDays",
      `must be one of CloudWatch's periods: ${LOG_RETENTIONS.join(", ")} (got ${logRetentionDays})`,
    );
  const alertEmails = list("alertEmails");
  for (const email of alertEmails)
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email))
      fail("alertEmails", `${JSON.stringify(email)} is not an e-mail address`);

  const imageTag = optionalStr("imageTag");
  if (
    imageTag !== undefined &&
    (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(imageTag) || imageTag === "latest")
  )
    fail("imageTag", `must be a Docker tag other than latest (got ${JSON.stringify(imageTag)})`);

  return {
    realization,
    logLevel,
    awsEndpoint,
    deletionProtection: bool("deletionProtection"),
    network: {
      vpcCidr,
      natGateways,
      availabilityZones: zones.length ? zones : undefined,
      flowLogRetentionDays,
    },
    fleet: {
      instanceType: str("fleetInstanceType"),
      minInstances,
      maxInstances,
      rootVolumeGiB: int("fleetRootVolumeGiB", 30, 16384),
      targetCapacityPercent: int("fleetTargetCapacity", 1, 100),
      certificateArn,
      publicDomain,
      accessLogRetentionDays: int("albAccessLogRetentionDays", 0, 3650),
    },
    tasks: {
      minPerService: int("tasksMinPerService", 0, 100),
      maxFactor: int("tasksMaxFactor", 1, 100),
      maxPerService: int("tasksMaxPerService", 0, 1000),
      reservationPercent: int("tasksReservationPercent", 10, 100),
    },
    mysql: {
      instanceClass: str("mysqlInstanceClass"),
      engineVersion,
      storageGiB: storage,
      maxStorageGiB: maxStorage,
      multiAz: bool("mysqlMultiAz"),
      backupRetentionDays: int("mysqlBackupRetentionDays", 1, 35),
    },
    redis: {
      nodeType: str("redisNodeType"),
      replicas: int("redisReplicas", 0, 5),
      snapshotRetentionDays: int("redisSnapshotRetentionDays", 0, 35),
    },
    activemq: { instanceType: mqInstanceType, deploymentMode: mqDeploymentMode },
    dynamodb: { billingMode, capacityBudget: billingMode === "PROVISIONED" ? capacityBudget : 0 },
    backup: { retentionDays: backupRetention, schedule: backupSchedule, continuous: backupContinuous },
    observability: {
      logRetentionDays,
      alertEmails,
      alertWebhookUrl: secrets.alertWebhookUrl,
      alarmBudget: int("alarmBudget", 0, 5000),
      singleDashboard: bool("singleDashboard"),
      encryptAlertTopic: bool("encryptAlertTopic"),
    },
    images: { tag: imageTag, platform: str("imagePlatform") },
  };
}

/** The platform config of the running stack (inside a Pulumi program). */
export function loadPlatformConfig(): PlatformConfig {
  const config = new pulumi.Config(CONFIG_NAMESPACE);
  const read = (key: string) => pulumi.runtime.getConfig(`${CONFIG_NAMESPACE}:${key}`);
  const webhookSet = read(ALERT_WEBHOOK_KEY) !== undefined;
  return parsePlatformConfig(read, {
    alertWebhookUrl: webhookSet ? config.requireSecret(ALERT_WEBHOOK_KEY) : undefined,
  });
}
