import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { appLabels, resourcesOf, restrictedContainerSecurity, scratch } from "../shared/kubernetes";
import { IMAGE_USERS, IMAGES } from "../shared/kubernetes-images";
import { statefulApp } from "../shared/kubernetes-stateful";
import { type Transform, transform } from "../shared/transform";
import type { RedisArgs } from "./args";
import type { KubernetesRedisEndpoint, KubernetesStoreOptions } from "./kubernetes";

export const REDIS_PORT = 6379;
export const REDIS_EXPORTER_PORT = 9121;

/** Hooks for the Redis store's own children, beside the stateful app's and the credentials `secret`. */
export interface KubernetesRedisTransforms {
  /** The generated AUTH password (`<name>-auth`). */
  password?: Transform<random.RandomPasswordArgs>;
}

/** Redis keeps this share of its container's memory limit for data (the rest is overhead). */
export function redisMaxMemoryBytes(memoryMiB: number): number {
  return Math.floor(memoryMiB * 1024 * 1024 * 0.75);
}

/** Redis with AUTH (a generated password), append-only persistence on a volume, and redis_exporter. */
export function kubernetesRedis(
  name: string,
  _args: RedisArgs,
  options: KubernetesStoreOptions,
  parent: pulumi.ComponentResource,
): KubernetesRedisEndpoint {
  const namespace = options.namespace ?? "default";
  const t: NonNullable<KubernetesStoreOptions["transform"]> & KubernetesRedisTransforms =
    options.transform ?? {};
  const secretName = `${name}-credentials`;
  const password = new random.RandomPassword(
    ...transform(t.password, `${name}-auth`, { length: 32, special: false }, { parent }),
  );
  new k8s.core.v1.Secret(
    ...transform(
      t.secret,
      secretName,
      {
        metadata: { name: secretName, namespace, labels: appLabels(name, "cache") },
        type: "Opaque",
        stringData: { password: password.result },
      },
      { parent },
    ),
  );
  const ref = { name: secretName, key: "password" };
  const size = options.resources ?? { cpu: 250, memory: 256 };
  const tmp = scratch("tmp", "/tmp");
  statefulApp(
    {
      name,
      namespace,
      component: "cache",
      user: IMAGE_USERS.redis,
      ports: [
        { name: "redis", port: REDIS_PORT },
        { name: "metrics", port: REDIS_EXPORTER_PORT },
      ],
      storage: { sizeGiB: options.volumeGiB ?? 1, storageClass: options.storageClass },
      clients: options.clients ?? [],
      monitoringNamespace: options.monitoringNamespace ?? "monitoring",
      volumes: [tmp.volume],
      containers: [
        {
          name: "redis",
          image: IMAGES.redis,
          // The password is read from the environment by the shell, so it is not in the pod spec.
          command: ["sh", "-c"],
          args: [
            [
              'exec redis-server --requirepass "$REDIS_PASSWORD" --dir /data',
              "--appendonly yes --appendfsync everysec",
              `--maxmemory ${redisMaxMemoryBytes(size.memory)} --maxmemory-policy allkeys-lru`,
              "--protected-mode no",
            ].join(" "),
          ],
          env: [{ name: "REDIS_PASSWORD", valueFrom: { secretKeyRef: ref } }],
          ports: [{ name: "redis", containerPort: REDIS_PORT, protocol: "TCP" }],
          readinessProbe: { tcpSocket: { port: "redis" }, periodSeconds: 10 },
          livenessProbe: { tcpSocket: { port: "redis" }, periodSeconds: 20, failureThreshold: 6 },
          resources: resourcesOf(size),
          securityContext: restrictedContainerSecurity(IMAGE_USERS.redis),
          volumeMounts: [{ name: "data", mountPath: "/data" }, tmp.mount],
        },
        {
          name: "exporter",
          image: IMAGES.redisExporter,
          env: [
            { name: "REDIS_ADDR", value: `redis://127.0.0.1:${REDIS_PORT}` },
            { name: "REDIS_PASSWORD", valueFrom: { secretKeyRef: ref } },
          ],
          ports: [{ name: "metrics", containerPort: REDIS_EXPORTER_PORT, protocol: "TCP" }],
          readinessProbe: { httpGet: { path: "/health", port: "metrics" }, periodSeconds: 30 },
          livenessProbe: { tcpSocket: { port: "metrics" }, periodSeconds: 30 },
          resources: resourcesOf({ cpu: 100, memory: 64 }, { cpu: 20, memory: 32 }),
          securityContext: restrictedContainerSecurity(IMAGE_USERS.exporter),
        },
      ],
      transform: t,
    },
    parent,
  );
  return { host: `${name}.${namespace}.svc.cluster.local`, port: REDIS_PORT, password: ref };
}
