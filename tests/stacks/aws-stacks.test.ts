import assert from "node:assert/strict";
import { catalog } from "../../catalog";
import { isSecretSource } from "../../catalog/types";
import { looksSecret, RDS_CA_BUNDLE_PATH } from "../../components/service-fleet/container";
import { mysqlUserName } from "../../platform/aws/database-init";
import { MYSQL_TLS_VARIABLES } from "../harness/mysql-tls-services";
import {
  evaluateStack,
  type MockRun,
  ofType,
  type RecordedResource,
  reveal,
  Secret,
  single,
} from "../harness/pulumi-mocks";
import { runStack } from "./stack-run";

type Run = MockRun<Record<string, unknown>>;

/** CI deploys prebuilt images: `pulumi up --config battle-ready:imageTag=<git sha>`. */
const CI = { "battle-ready:imageTag": "ci-0123abc" };
const STACKS = ["dev", "staging", "prod"] as const;
const runs: Partial<Record<(typeof STACKS)[number], Run>> = {};

const uses = (kind: "mysql" | "redis" | "activemq" | "dynamodb") => catalog.some((s) => s.uses[kind]);
const publicServices = catalog.filter((s) => s.publicRoutes.length > 0);

function containers(run: Run) {
  return ofType(run.resources, "aws:ecs/taskDefinition:TaskDefinition").map((t) => {
    // The service's own container comes first; an init container (if any) after it.
    const [c] = JSON.parse(String(t.inputs.containerDefinitions)) as {
      name: string;
      environment: { name: string; value: string }[];
      secrets: { name: string; valueFrom: string }[];
    }[];
    return c!;
  });
}

function capacity(run: Run, key: "readCapacity" | "writeCapacity"): number {
  return ofType(run.resources, "aws:dynamodb/table:Table").reduce(
    (n, t) => n + Number(t.inputs[key] ?? 0),
    0,
  );
}

/** Every plain (non-`Secret`) string anywhere in a value. */
function plainStrings(value: unknown, out: string[] = []): string[] {
  if (value instanceof Secret) return out;
  if (typeof value === "string") out.push(value);
  else if (Array.isArray(value)) for (const v of value) plainStrings(v, out);
  else if (value && typeof value === "object") for (const v of Object.values(value)) plainStrings(v, out);
  return out;
}

function scalingMax(run: Run, service: string): number | undefined {
  const target = ofType(run.resources, "aws:appautoscaling/target:Target").find(
    (t) => t.name === `fleet-${service}`,
  );
  return target?.inputs.maxCapacity as number | undefined;
}

describe("AWS stacks: index.ts evaluated from each real Pulumi.<stack>.yaml", () => {
  before(async () => {
    for (const stack of STACKS) runs[stack] = await runStack(stack, CI);
  });
  const run = (stack: (typeof STACKS)[number]) => runs[stack]!;

  for (const stack of STACKS) {
    describe(stack, () => {
      it("builds every component, each child parented to one", () => {
        const types = new Set(run(stack).resources.map((r) => r.type));
        for (const component of ["Network", "ServiceFleet", "ObservabilityStack", "ImageRepository"])
          assert.ok(types.has(`battle-ready:aws:${component}`), component);
        if (uses("mysql") || uses("redis") || uses("dynamodb"))
          assert.ok(types.has("battle-ready:aws:DataStore"));
        if (uses("activemq")) assert.ok(types.has("battle-ready:aws:QueueBroker"));
        const components = new Set(
          run(stack)
            .resources.filter((r) => !r.custom)
            .map((r) => r.urn),
        );
        for (const r of run(stack).resources.filter(
          (r) => r.custom && !r.type.startsWith("pulumi:providers:"),
        ))
          assert.ok(r.parent && components.has(r.parent), `${r.type} ${r.name} has a component parent`);
      });

      it("injects every password and generated secret by reference, never as a plain value", () => {
        const byName = new Map(containers(run(stack)).map((c) => [c.name, c]));
        for (const s of catalog) {
          const c = byName.get(s.name);
          assert.ok(c, `${s.name} has a task definition`);
          for (const [variable, source] of Object.entries(s.env)) {
            if (!isSecretSource(source)) continue;
            assert.ok(!c.environment.some((e) => e.name === variable), `${s.name}.${variable} is not plain`);
            const ref = c.secrets.find((e) => e.name === variable);
            assert.match(
              String(ref?.valueFrom),
              /^arn:aws:secretsmanager:[^:]+:\d{12}:secret:.+:password::$/,
              `${s.name}.${variable}`,
            );
          }
          for (const e of c.environment)
            assert.ok(!looksSecret(e.name), `${s.name}.${e.name} looks secret but is plain`);
        }
      });

      it("shows no secret in plain text: not in any resource input, nor in the outputs", () => {
        const generated = ofType(run(stack).resources, "random:index/randomPassword:RandomPassword").map(
          (p) => reveal(p.state.result) as string,
        );
        assert.ok(generated.length > 0 || catalog.length === 0, "passwords are generated");
        const webhook = "mock-secret(battle-ready:alertWebhookUrl)";
        const plain = [
          ...run(stack).resources.flatMap((r) => plainStrings(r.inputs)),
          ...plainStrings(run(stack).outputs),
        ];
        for (const secret of [...generated, webhook])
          assert.ok(!plain.some((s) => s.includes(secret)), `${secret} appears in plain text`);
        const subscription = ofType(run(stack).resources, "aws:sns/topicSubscription:TopicSubscription").find(
          (s) => s.inputs.protocol === "https",
        );
        assert.ok(
          subscription?.inputs.endpoint instanceof Secret,
          "the webhook subscription's endpoint stays secret",
        );
      });

      it("creates each service's MySQL database and own account before the service starts", () => {
        const resources = run(stack).resources;
        const tasks = ofType(resources, "aws:ecs/taskDefinition:TaskDefinition");
        const secretArn = (path: string) => {
          const secret = ofType(resources, "aws:secretsmanager/secret:Secret").find(
            (r) => r.inputs.name === path,
          );
          assert.ok(secret, `secret ${path} exists`);
          return String(secret.state.arn);
        };
        const masterArn = secretArn(`battle-ready/${stack}/mysql-master`);
        const accountArns = new Set<string>();
        for (const s of catalog.filter((s) => s.uses.mysql)) {
          const database = s.uses.mysql!.database;
          const user = mysqlUserName(s.name);
          const accountArn = secretArn(`battle-ready/${stack}/mysql-user-${s.name}`);
          assert.notEqual(accountArn, masterArn);
          accountArns.add(accountArn);
          const task = tasks.find((t) => t.name === `fleet-${s.name}`)!;
          const [main, init] = JSON.parse(String(task.inputs.containerDefinitions)) as {
            name: string;
            command?: string[];
            dependsOn?: unknown;
            environment: { name: string; value: string }[];
            secrets: { name: string; valueFrom: string }[];
          }[];
          // The service itself: its own user name and its own secret, never the master's.
          for (const [variable, source] of Object.entries(s.env)) {
            if (source.from !== "mysql") continue;
            if (source.field === "user")
              assert.equal(
                main!.environment.find((e) => e.name === variable)?.value,
                user,
                `${s.name}.${variable}`,
              );
            if (source.field === "password")
              assert.equal(
                main!.secrets.find((e) => e.name === variable)?.valueFrom,
                `${accountArn}:password::`,
                `${s.name}.${variable}`,
              );
          }
          assert.ok(
            !JSON.stringify(main).includes(masterArn),
            `${s.name}'s container never sees the master secret`,
          );
          // The init container: the master secret to connect, the service's secret to set, both by reference.
          assert.equal(init?.name, "create-database", s.name);
          assert.deepEqual(init.secrets, [
            { name: "MYSQL_PWD", valueFrom: `${masterArn}:password::` },
            { name: "SERVICE_DB_PASSWORD", valueFrom: `${accountArn}:password::` },
          ]);
          const sql = String(init.command?.at(-1));
          for (const statement of [
            `CREATE DATABASE IF NOT EXISTS \\\`${database}\\\`;`,
            `CREATE USER IF NOT EXISTS '${user}'@'%' IDENTIFIED BY '$SERVICE_DB_PASSWORD' REQUIRE SSL;`,
            `ALTER USER '${user}'@'%' IDENTIFIED BY '$SERVICE_DB_PASSWORD' REQUIRE SSL;`,
            `GRANT ALL PRIVILEGES ON \\\`${database}\\\`.* TO '${user}'@'%';`,
          ])
            assert.ok(sql.includes(statement), `${s.name}: ${statement}`);
          assert.deepEqual(main?.dependsOn, [{ containerName: "create-database", condition: "SUCCESS" }]);
          // The task's execution role reads its own account's secret and the master's (for the init container) only.
          const role = ofType(resources, "aws:iam/role:Role").find(
            (r) => r.name === `fleet-${s.name}-execution`,
          )!;
          const policy = (role.inputs.inlinePolicies as { name: string; policy: string }[])[0]!;
          const readable = JSON.parse(policy.policy).Statement[0].Resource as string[];
          assert.ok(readable.includes(accountArn) && readable.includes(masterArn), s.name);
          assert.deepEqual(
            readable.filter((arn) => arn.includes(":secret:mysql-")).sort(),
            [accountArn, masterArn].sort(),
            `${s.name} reads no other service's MySQL secret`,
          );
        }
        assert.equal(accountArns.size, catalog.filter((s) => s.uses.mysql).length, "one account per service");
        // Services without MySQL read neither the master's secret nor any account's.
        for (const s of catalog.filter((s) => !s.uses.mysql)) {
          const role = ofType(resources, "aws:iam/role:Role").find(
            (r) => r.name === `fleet-${s.name}-execution`,
          )!;
          const text = JSON.stringify(role.inputs.inlinePolicies ?? []);
          for (const arn of [masterArn, ...accountArns])
            assert.ok(!text.includes(arn), `${s.name} cannot read ${arn}`);
        }
      });

      it("connects every MySQL service over verified TLS: its mode, the RDS CA bundle path, the bundle mounted", () => {
        const tasks = ofType(run(stack).resources, "aws:ecs/taskDefinition:TaskDefinition");
        const mysqlServices = catalog.filter((s) => s.uses.mysql).map((s) => s.name);
        assert.deepEqual(mysqlServices.sort(), Object.keys(MYSQL_TLS_VARIABLES).sort());
        for (const [service, [modeVariable, caVariable]] of Object.entries(MYSQL_TLS_VARIABLES)) {
          const task = tasks.find((t) => t.name === `fleet-${service}`);
          assert.ok(task, `${service} has a task definition`);
          const [main] = JSON.parse(String(task.inputs.containerDefinitions)) as {
            environment: { name: string; value: string }[];
            mountPoints: { sourceVolume: string; containerPath: string; readOnly: boolean }[];
          }[];
          const env = Object.fromEntries(main!.environment.map((e) => [e.name, e.value]));
          assert.match(env[modeVariable] ?? "", /^verify-(identity|ca)$/, `${service}.${modeVariable}`);
          assert.equal(env[caVariable], RDS_CA_BUNDLE_PATH, `${service}.${caVariable}`);
          assert.deepEqual(
            main!.mountPoints.find((m) => m.sourceVolume === "rds-ca"),
            { sourceVolume: "rds-ca", containerPath: "/etc/rds-ca", readOnly: true },
            `${service} mounts the RDS CA bundle`,
          );
          const volumes = task.inputs.volumes as { name: string; hostPath?: string }[];
          assert.ok(
            volumes.some((v) => v.name === "rds-ca" && v.hostPath === "/opt/battle-ready/rds-ca"),
            `${service}'s task has the instance's RDS CA directory`,
          );
        }
      });

      it("scales each queue consumer on its Amazon MQ queue's depth per running task", () => {
        const resources = run(stack).resources;
        const consumers = catalog.filter((s) => s.kind !== "job" && s.scaling.queue);
        assert.ok(consumers.some((s) => s.name === "oversupply-matcher"));
        const queuePolicies = ofType(resources, "aws:appautoscaling/policy:Policy").filter((p) =>
          p.name.endsWith("-queue"),
        );
        assert.deepEqual(
          queuePolicies.map((p) => p.name).sort(),
          consumers.map((s) => `fleet-${s.name}-queue`).sort(),
        );
        const broker = single(resources, "aws:mq/broker:Broker").state.brokerName as string;
        for (const s of consumers) {
          const policy = queuePolicies.find((p) => p.name === `fleet-${s.name}-queue`)!.inputs;
          const config = policy.targetTrackingScalingPolicyConfiguration as {
            targetValue: number;
            customizedMetricSpecification: {
              metrics: {
                id: string;
                metricStat?: { metric: { dimensions: { name: string; value: string }[] } };
              }[];
            };
          };
          assert.equal(config.targetValue, s.scaling.queue!.targetDepthPerInstance);
          const depth = config.customizedMetricSpecification.metrics.find((m) => m.id === "depth")!;
          assert.deepEqual(depth.metricStat!.metric.dimensions, [
            { name: "Broker", value: `${broker}-1` },
            { name: "Queue", value: s.scaling.queue!.destination.replace("/queue/", "") },
          ]);
        }
      });

      it("requires IMDSv2 and encrypts the root volume", () => {
        const lt = single(run(stack).resources, "aws:ec2/launchTemplate:LaunchTemplate").inputs;
        assert.equal((lt.metadataOptions as { httpTokens: string }).httpTokens, "required");
        const [root] = lt.blockDeviceMappings as { ebs: { encrypted: string } }[];
        assert.equal(root?.ebs.encrypted, "true");
      });

      it("outputs each public service's URL, the dashboards and the log groups", () => {
        const outputs = run(stack).outputs as {
          serviceUrls: Record<string, string>;
          dashboardUrls: Record<string, string>;
          logGroups: Record<string, string>;
        };
        assert.deepEqual(Object.keys(outputs.serviceUrls).sort(), publicServices.map((s) => s.name).sort());
        for (const url of Object.values(outputs.serviceUrls))
          assert.match(url, /^https?:\/\/[^/]+\.elb\.amazonaws\.com\//);
        assert.ok(Object.keys(outputs.dashboardUrls).length > 0 || catalog.length === 0);
        assert.deepEqual(Object.keys(outputs.logGroups).sort(), catalog.map((s) => s.name).sort());
        const retention = ofType(run(stack).resources, "aws:cloudwatch/logGroup:LogGroup").map(
          (g) => g.inputs.retentionInDays,
        );
        assert.ok(
          retention.every((days) => typeof days === "number" && days > 0),
          "every log group has a retention",
        );
      });

      it("runs each job with its catalog args, no port or health check, aimed at its callee's public URL", () => {
        const outputs = run(stack).outputs as { serviceUrls: Record<string, string> };
        const scheme = stack === "dev" ? "http" : "https";
        const jobs = catalog.filter((s) => s.kind === "job");
        assert.ok(jobs.some((s) => s.name === "tgibf"));
        for (const job of jobs) {
          const task = single(
            run(stack).resources,
            "aws:ecs/taskDefinition:TaskDefinition",
            `fleet-${job.name}`,
          );
          const [c] = JSON.parse(String(task.inputs.containerDefinitions)) as Record<string, unknown>[];
          assert.deepEqual(c!.command, job.args, `${job.name} runs with its catalog args`);
          assert.equal(c!.portMappings, undefined, `${job.name} maps no port`);
          assert.equal(c!.healthCheck, undefined, `${job.name} has no health check`);
          assert.equal(task.inputs.networkMode, "bridge", "run-task needs no --network-configuration");
        }
        const tgibf = containers(run(stack)).find((c) => c.name === "tgibf")!;
        const webhook = tgibf.environment.find((e) => e.name === "WEBHOOK")?.value;
        // Not the Service Connect alias (run-task is outside Service Connect): the ALB and the route.
        assert.equal(webhook, outputs.serviceUrls["call-webhook"]);
        assert.match(String(webhook), new RegExp(`^${scheme}://[^/]+\\.elb\\.amazonaws\\.com/webhook$`));
      });

      it("wires every alarm to the alert topic", () => {
        const topic = single(run(stack).resources, "aws:sns/topic:Topic");
        for (const alarm of ofType(run(stack).resources, "aws:cloudwatch/metricAlarm:MetricAlarm"))
          assert.deepEqual(
            alarm.inputs.alarmActions,
            [`arn:aws:sns:eu-west-1:123456789012:${topic.name}`],
            alarm.name,
          );
      });
    });
  }

  describe("dev stays inside the free tier", () => {
    it("has no NAT gateway and exactly one ALB", () => {
      assert.equal(ofType(run("dev").resources, "aws:ec2/natGateway:NatGateway").length, 0);
      assert.equal(ofType(run("dev").resources, "aws:lb/loadBalancer:LoadBalancer").length, 1);
    });

    it("runs t3.micro instances with at most the 30 GB free EBS", () => {
      const lt = single(run("dev").resources, "aws:ec2/launchTemplate:LaunchTemplate").inputs;
      assert.equal(lt.instanceType, "t3.micro");
      const [root] = lt.blockDeviceMappings as { ebs: { volumeSize: number } }[];
      assert.ok(root!.ebs.volumeSize <= 30);
    });

    it("sizes RDS, ElastiCache, Amazon MQ and DynamoDB within the free tier", () => {
      if (uses("mysql")) {
        const db = single(run("dev").resources, "aws:rds/instance:Instance").inputs;
        assert.equal(db.instanceClass, "db.t3.micro");
        assert.equal(db.multiAz, false);
        assert.equal(db.allocatedStorage, 20);
        assert.equal(db.maxAllocatedStorage, undefined);
      }
      if (uses("redis")) {
        const cache = single(
          run("dev").resources,
          "aws:elasticache/replicationGroup:ReplicationGroup",
        ).inputs;
        assert.equal(cache.nodeType, "cache.t3.micro");
        assert.equal(cache.numCacheClusters, 1);
      }
      if (uses("activemq")) {
        const broker = single(run("dev").resources, "aws:mq/broker:Broker").inputs;
        assert.equal(broker.hostInstanceType, "mq.t3.micro");
        assert.equal(broker.deploymentMode, "SINGLE_INSTANCE");
      }
      if (uses("dynamodb")) {
        assert.ok(capacity(run("dev"), "readCapacity") <= 25, "≤ 25 RCU in total");
        assert.ok(capacity(run("dev"), "writeCapacity") <= 25, "≤ 25 WCU in total");
        for (const t of ofType(run("dev").resources, "aws:dynamodb/table:Table"))
          assert.equal(t.inputs.billingMode, "PROVISIONED");
      }
    });

    it("keeps alarms and dashboards within the always-free counts", () => {
      assert.ok(ofType(run("dev").resources, "aws:cloudwatch/metricAlarm:MetricAlarm").length <= 10);
      assert.ok(ofType(run("dev").resources, "aws:cloudwatch/dashboard:Dashboard").length <= 3);
    });
  });

  for (const stack of ["staging", "prod"] as const) {
    describe(`${stack} has prod's topology`, () => {
      it("private subnets behind NAT, HTTPS with a redirect from HTTP", () => {
        assert.ok(ofType(run(stack).resources, "aws:ec2/natGateway:NatGateway").length >= 1);
        const asg = single(run(stack).resources, "aws:autoscaling/group:Group").inputs;
        assert.deepEqual(asg.vpcZoneIdentifiers, ["network-private-1-id", "network-private-2-id"]);
        const listeners = ofType(run(stack).resources, "aws:lb/listener:Listener").map((l) => l.inputs);
        assert.equal(listeners.find((l) => l.port === 443)?.protocol, "HTTPS");
        const http = listeners.find((l) => l.port === 80);
        const redirect = ((http?.defaultActions ?? []) as { type: string }[])[0];
        assert.equal(redirect?.type, "redirect");
      });

      it("Multi-AZ RDS, a Redis replica with automatic failover, an active/standby broker", () => {
        if (uses("mysql"))
          assert.equal(single(run(stack).resources, "aws:rds/instance:Instance").inputs.multiAz, true);
        if (uses("redis")) {
          const cache = single(
            run(stack).resources,
            "aws:elasticache/replicationGroup:ReplicationGroup",
          ).inputs;
          assert.ok((cache.numCacheClusters as number) >= 2);
          assert.equal(cache.automaticFailoverEnabled, true);
        }
        if (uses("activemq"))
          assert.equal(
            single(run(stack).resources, "aws:mq/broker:Broker").inputs.deploymentMode,
            "ACTIVE_STANDBY_MULTI_AZ",
          );
      });
    });
  }

  describe("staging runs that topology at the smallest sizes", () => {
    it("uses the smallest classes each feature allows", () => {
      if (uses("mysql"))
        assert.equal(
          single(run("staging").resources, "aws:rds/instance:Instance").inputs.instanceClass,
          "db.t3.micro",
        );
      if (uses("redis"))
        assert.equal(
          single(run("staging").resources, "aws:elasticache/replicationGroup:ReplicationGroup").inputs
            .nodeType,
          "cache.t3.micro",
        );
      if (uses("activemq"))
        assert.equal(
          single(run("staging").resources, "aws:mq/broker:Broker").inputs.hostInstanceType,
          "mq.m5.large",
        );
    });
  });

  describe("prod", () => {
    it("protects data from deletion and keeps at least 14 days of backups", () => {
      const resources = run("prod").resources;
      if (uses("mysql")) {
        const db = single(resources, "aws:rds/instance:Instance").inputs;
        assert.equal(db.deletionProtection, true);
        assert.equal(db.skipFinalSnapshot, false);
        assert.ok((db.backupRetentionPeriod as number) >= 14);
      }
      for (const t of ofType(resources, "aws:dynamodb/table:Table"))
        assert.equal(t.inputs.deletionProtectionEnabled, true);
      assert.equal(
        single(resources, "aws:lb/loadBalancer:LoadBalancer").inputs.enableDeletionProtection,
        true,
      );
      if (uses("mysql") || uses("dynamodb")) {
        const [rule] = single(resources, "aws:backup/plan:Plan").inputs.rules as {
          lifecycle: { deleteAfter: number };
        }[];
        assert.ok(rule!.lifecycle.deleteAfter >= 14);
      }
    });

    it("scales wider than dev, with at least two tasks per service", () => {
      const services = catalog.filter((s) => s.kind !== "job");
      for (const s of services) {
        const devMax = scalingMax(run("dev"), s.name)!;
        const prodMax = scalingMax(run("prod"), s.name)!;
        assert.ok(prodMax >= devMax, `${s.name}: prod max ${prodMax} ≥ dev max ${devMax}`);
        const prodTarget = ofType(run("prod").resources, "aws:appautoscaling/target:Target").find(
          (t: RecordedResource) => t.name === `fleet-${s.name}`,
        )!;
        assert.ok((prodTarget.inputs.minCapacity as number) >= 2, `${s.name} runs at least two tasks`);
      }
      if (services.some((s) => s.scaling.max > 2))
        assert.ok(services.some((s) => scalingMax(run("prod"), s.name)! > scalingMax(run("dev"), s.name)!));
    });
  });

  describe("exactly as the engine would run it (images built from the Dockerfiles)", () => {
    for (const stack of STACKS) {
      it(`evaluates Pulumi.${stack}.yaml unchanged`, async () => {
        const evaluated = await evaluateStack(stack);
        const images = ofType(evaluated.resources, "docker:index/image:Image");
        assert.equal(images.length, catalog.length, "one image per service");
        for (const image of images) {
          const build = image.inputs.build as { context: string; dockerfile: string };
          assert.equal(build.context, ".");
          assert.match(build.dockerfile, /^apps\/[a-z0-9-]+\/Dockerfile$/);
        }
      });
    }
  });
});
