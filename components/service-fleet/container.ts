/** Pure builders for an ECS container definition (bridge networking, EC2 launch type). */

/** The uid:gid containers run as: `node` in the official Node images; never root. */
export const CONTAINER_USER = "1000:1000";
/** Where instances keep the RDS CA bundle they download at boot, and where tasks see it. */
export const RDS_CA_HOST_DIR = "/opt/battle-ready/rds-ca";
export const RDS_CA_CONTAINER_DIR = "/etc/rds-ca";
export const RDS_CA_BUNDLE_PATH = `${RDS_CA_CONTAINER_DIR}/global-bundle.pem`;

/** Variable names that must never carry a plain value. */
const SECRET_LOOKING = /(PASSWORD|PASSWD|PASS|SECRET|TOKEN|API_KEY|PRIVATE_KEY|CREDENTIALS?)$/;

export function looksSecret(variable: string): boolean {
  return SECRET_LOOKING.test(variable);
}

export interface ContainerInput {
  name: string;
  image: string;
  /**
   * The HTTP port of a service or worker: a named port mapping, and a health check on
   * `livenessPath`. A job has none (it serves no HTTP): no port mapping, no health check.
   */
  port?: number;
  livenessPath?: string;
  /** The container's command (arguments after the image's entrypoint). @default the image's */
  command?: string[];
  cpu: number;
  memory: number;
  /** Reserved on the instance; defaults to the limits. */
  reservation?: { cpu: number; memory: number };
  environment: Record<string, string>;
  secrets: Record<string, string>;
  logGroupName: string;
  region: string;
  mountRdsCaBundle: boolean;
  /** Start only after this container exited successfully. */
  waitFor?: string;
}

export interface InitContainerInput {
  name: string;
  image: string;
  user: string;
  command: string[];
  environment: Record<string, string>;
  secrets: Record<string, string>;
  logGroupName: string;
  region: string;
  mountRdsCaBundle: boolean;
}

const sorted = (record: Record<string, string>) =>
  Object.entries(record).sort(([a], [b]) => a.localeCompare(b));

function logsTo(logGroupName: string, region: string, prefix: string) {
  return {
    logDriver: "awslogs",
    options: {
      "awslogs-group": logGroupName,
      "awslogs-region": region,
      "awslogs-stream-prefix": prefix,
      mode: "non-blocking",
      "max-buffer-size": "4m",
    },
  };
}

/** A run-to-completion container: same hardening as the service, small, not essential. */
export function initContainerDefinition(c: InitContainerInput): Record<string, unknown> {
  for (const variable of Object.keys(c.environment))
    if (looksSecret(variable))
      throw new Error(
        `ServiceFleet: init ${c.name}.environment.${variable} looks secret; pass it in secrets (by reference)`,
      );
  return {
    name: c.name,
    image: c.image,
    essential: false,
    cpu: 16,
    memory: 64,
    user: c.user,
    readonlyRootFilesystem: true,
    privileged: false,
    linuxParameters: { initProcessEnabled: true, capabilities: { drop: ["ALL"] } },
    command: c.command,
    environment: sorted(c.environment).map(([name, value]) => ({ name, value })),
    secrets: sorted(c.secrets).map(([name, valueFrom]) => ({ name, valueFrom })),
    mountPoints: [
      { sourceVolume: "tmp", containerPath: "/tmp", readOnly: false },
      ...(c.mountRdsCaBundle
        ? [{ sourceVolume: "rds-ca", containerPath: RDS_CA_CONTAINER_DIR, readOnly: true }]
        : []),
    ],
    logConfiguration: logsTo(c.logGroupName, c.region, c.name),
  };
}

/** CPU units ECS reserves for a container: 1024 per vCPU. */
export function cpuUnits(millicores: number): number {
  return Math.max(2, Math.round((millicores * 1024) / 1000));
}

/**
 * The container definition: non-root, read-only root filesystem (with a writable /tmp volume),
 * every Linux capability dropped, secrets by reference, logs to CloudWatch, and (a service or
 * worker) a liveness health check and a named port for service discovery and Service Connect.
 */
export function containerDefinition(c: ContainerInput): Record<string, unknown> {
  for (const variable of Object.keys(c.environment)) {
    if (looksSecret(variable))
      throw new Error(
        `ServiceFleet: ${c.name}.environment.${variable} looks secret; pass it in secrets (by reference)`,
      );
    if (variable in c.secrets)
      throw new Error(`ServiceFleet: ${c.name}: ${variable} is both plain and secret`);
  }
  if (c.port !== undefined && !c.livenessPath?.startsWith("/"))
    throw new Error(
      `ServiceFleet: ${c.name}: a container with a port needs a livenessPath for its health check`,
    );
  const sorted = (record: Record<string, string>) =>
    Object.entries(record).sort(([a], [b]) => a.localeCompare(b));
  return {
    name: c.name,
    image: c.image,
    essential: true,
    cpu: cpuUnits(c.reservation?.cpu ?? c.cpu),
    memory: c.memory,
    memoryReservation: Math.min(c.reservation?.memory ?? c.memory, c.memory),
    user: CONTAINER_USER,
    readonlyRootFilesystem: true,
    privileged: false,
    linuxParameters: { initProcessEnabled: true, capabilities: { drop: ["ALL"] } },
    ...(c.command ? { command: c.command } : {}),
    ...(c.port !== undefined
      ? {
          portMappings: [
            { name: "http", containerPort: c.port, hostPort: 0, protocol: "tcp", appProtocol: "http" },
          ],
        }
      : {}),
    environment: sorted(c.environment).map(([name, value]) => ({ name, value })),
    secrets: sorted(c.secrets).map(([name, valueFrom]) => ({ name, valueFrom })),
    mountPoints: [
      { sourceVolume: "tmp", containerPath: "/tmp", readOnly: false },
      ...(c.mountRdsCaBundle
        ? [{ sourceVolume: "rds-ca", containerPath: RDS_CA_CONTAINER_DIR, readOnly: true }]
        : []),
    ],
    ...(c.port !== undefined
      ? {
          healthCheck: {
            command: [
              "CMD",
              "node",
              "-e",
              `fetch('http://127.0.0.1:${c.port}${c.livenessPath}').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))`,
            ],
            interval: 15,
            timeout: 5,
            retries: 3,
            startPeriod: 30,
          },
        }
      : {}),
    ...(c.waitFor ? { dependsOn: [{ containerName: c.waitFor, condition: "SUCCESS" }] } : {}),
    stopTimeout: 30,
    ulimits: [{ name: "nofile", softLimit: 65536, hardLimit: 65536 }],
    logConfiguration: logsTo(c.logGroupName, c.region, c.name),
  };
}

/** Instance user data: join the cluster, and fetch the RDS CA bundle tasks verify MySQL against. */
export function instanceUserData(clusterName: string): string {
  return [
    "#!/bin/bash",
    "set -euo pipefail",
    `echo ECS_CLUSTER=${clusterName} >> /etc/ecs/ecs.config`,
    "echo ECS_ENABLE_CONTAINER_METADATA=true >> /etc/ecs/ecs.config",
    "echo ECS_ENABLE_SPOT_INSTANCE_DRAINING=true >> /etc/ecs/ecs.config",
    `mkdir -p ${RDS_CA_HOST_DIR}`,
    `curl -fsSL --retry 5 https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem -o ${RDS_CA_HOST_DIR}/global-bundle.pem`,
    `chmod 0444 ${RDS_CA_HOST_DIR}/global-bundle.pem`,
    "",
  ].join("\n");
}
