import assert from "node:assert/strict";
import {
  AwsServiceFleet,
  containerDefinition,
  type FleetService,
  planAlbRoutes,
  routePattern,
  type ServiceFleetArgs,
  stripPrefixRewrite,
} from "../../components/service-fleet";
import { ofType, type RecordedResource, runUnderMocks, single } from "../harness/pulumi-mocks";

const network: ServiceFleetArgs["network"] = {
  vpcId: "vpc-1",
  albSubnetIds: ["subnet-pub-a", "subnet-pub-b"],
  albSecurityGroupIds: ["sg-alb"],
  instanceSubnetIds: ["subnet-pub-a", "subnet-pub-b"],
  instanceSecurityGroupIds: ["sg-fleet"],
  assignPublicIp: true,
};
const SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf";

function service(overrides: Partial<FleetService> & { name: string }): FleetService {
  return {
    system: "demo",
    kind: "service",
    image: `123456789012.dkr.ecr.eu-west-1.amazonaws.com/${overrides.name}@sha256:abc`,
    port: 8080,
    readinessPath: "/readyz",
    livenessPath: "/healthz",
    cpu: 256,
    memory: 256,
    scaling: { min: 1, max: 3, cpuTarget: 60 },
    ...overrides,
  };
}

const api = service({
  name: "api",
  port: 8000,
  publicRoutes: [{ method: "GET", path: "/orders/:id" }],
  ingressPrefix: "/orders",
  environment: { LOG_LEVEL: "info", DB_HOST: "db.internal" },
  secrets: { DB_PASSWORD: `${SECRET_ARN}:password::` },
  secretArns: [SECRET_ARN],
  dynamoTableArns: ["arn:aws:dynamodb:eu-west-1:123456789012:table/orders"],
  scaling: { min: 2, max: 6, cpuTarget: 60, requestsPerTarget: 1000 },
});
const worker = service({
  name: "worker",
  kind: "worker",
  port: 8102,
  scaling: { min: 1, max: 2, cpuTarget: 70 },
});
const job = service({
  name: "loadgen",
  kind: "job",
  port: undefined,
  readinessPath: undefined,
  livenessPath: undefined,
  args: ["--allow-remote", "--mode", "rate"],
  environment: { LOG_LEVEL: "info" },
  publicUrlEnvironment: { TARGET: "api" },
  scaling: { min: 0, max: 1, cpuTarget: 80 },
});

async function deploy(args: Partial<ServiceFleetArgs> = {}) {
  return runUnderMocks(() => {
    const fleet = new AwsServiceFleet("fleet", { services: [api, worker, job], network, ...args });
    return { urls: Object.fromEntries(Object.values(fleet.services).map((s) => [s.name, s.url])) };
  });
}

function containerOf(taskDefinition: RecordedResource): Record<string, unknown> {
  const [container] = JSON.parse(String(taskDefinition.inputs.containerDefinitions)) as Record<
    string,
    unknown
  >[];
  return container!;
}

describe("ServiceFleet (aws)", () => {
  it("creates every child type, parented to the component", async () => {
    const { resources } = await deploy();
    const types = new Set(resources.filter((r) => r.custom).map((r) => r.type));
    for (const type of [
      "aws:ecs/cluster:Cluster",
      "aws:iam/role:Role",
      "aws:iam/instanceProfile:InstanceProfile",
      "aws:ec2/launchTemplate:LaunchTemplate",
      "aws:autoscaling/group:Group",
      "aws:ecs/capacityProvider:CapacityProvider",
      "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders",
      "aws:lb/loadBalancer:LoadBalancer",
      "aws:lb/listener:Listener",
      "aws:lb/listenerRule:ListenerRule",
      "aws:lb/targetGroup:TargetGroup",
      "aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace",
      "aws:servicediscovery/service:Service",
      "aws:cloudwatch/logGroup:LogGroup",
      "aws:ecs/taskDefinition:TaskDefinition",
      "aws:ecs/service:Service",
      "aws:appautoscaling/target:Target",
      "aws:appautoscaling/policy:Policy",
    ])
      assert.ok(types.has(type), `missing ${type}`);
    const component = single(resources, "battle-ready:aws:ServiceFleet");
    for (const r of resources.filter((r) => r.custom)) assert.equal(r.parent, component.urn, r.name);
  });

  it("instances: ECS-optimized AMI from SSM, IMDSv2 required, encrypted root volume, managed scaling", async () => {
    const { resources } = await deploy({ instanceType: "t3.micro", minInstances: 1, maxInstances: 2 });
    const lt = single(resources, "aws:ec2/launchTemplate:LaunchTemplate").inputs;
    assert.equal(lt.imageId, "ami-0ecs0optimized0000");
    assert.equal(lt.instanceType, "t3.micro");
    assert.deepEqual(lt.metadataOptions, {
      httpEndpoint: "enabled",
      httpTokens: "required",
      httpPutResponseHopLimit: 1,
      instanceMetadataTags: "disabled",
    });
    const [root] = lt.blockDeviceMappings as { ebs: Record<string, unknown> }[];
    assert.equal(root?.ebs.encrypted, "true");
    assert.equal(root?.ebs.volumeType, "gp3");
    assert.match(Buffer.from(String(lt.userData), "base64").toString(), /ECS_CLUSTER=fleet-cluster/);
    const asg = single(resources, "aws:autoscaling/group:Group").inputs;
    assert.equal(asg.minSize, 1);
    assert.equal(asg.maxSize, 2);
    assert.equal(asg.protectFromScaleIn, true);
    const cp = single(resources, "aws:ecs/capacityProvider:CapacityProvider").inputs;
    const provider = cp.autoScalingGroupProvider as Record<string, Record<string, unknown>>;
    assert.equal(provider.managedScaling?.status, "ENABLED");
    const cluster = single(resources, "aws:ecs/cluster:Cluster").inputs;
    assert.deepEqual(cluster.settings, [{ name: "containerInsights", value: "enabled" }]);
  });

  it("task definitions: non-root, read-only root fs, secrets by reference, awslogs", async () => {
    const { resources } = await deploy();
    const tasks = ofType(resources, "aws:ecs/taskDefinition:TaskDefinition");
    assert.equal(tasks.length, 3, "services, workers and jobs each get a task definition");
    for (const task of tasks) {
      const c = containerOf(task);
      assert.equal(c.user, "1000:1000");
      assert.equal(c.readonlyRootFilesystem, true);
      assert.equal(c.privileged, false);
      assert.deepEqual((c.linuxParameters as { capabilities: unknown }).capabilities, { drop: ["ALL"] });
      assert.equal((c.logConfiguration as { logDriver: string }).logDriver, "awslogs");
      assert.equal(task.inputs.networkMode, "bridge");
    }
    const apiTask = tasks.find((t) => t.name === "fleet-api")!;
    const c = containerOf(apiTask);
    assert.deepEqual(c.secrets, [{ name: "DB_PASSWORD", valueFrom: `${SECRET_ARN}:password::` }]);
    const env = c.environment as { name: string; value: string }[];
    assert.ok(!env.some((e) => e.name === "DB_PASSWORD"), "the password is not a plain variable");
    assert.equal(
      (c.logConfiguration as { options: Record<string, string> }).options["awslogs-group"],
      "/ecs/fleet/api",
    );
    // The execution role may read this service's secret, and nothing else.
    const execution = single(resources, "aws:iam/role:Role", "fleet-api-execution").inputs;
    const [inline] = execution.inlinePolicies as { policy: string }[];
    assert.deepEqual(JSON.parse(inline!.policy).Statement[0].Resource, [SECRET_ARN]);
  });

  it("a job: its args as the command, no port mapping or health check, the callee's public URL", async () => {
    for (const [args, scheme] of [
      [{}, "http"],
      [{ certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/x" }, "https"],
    ] as const) {
      const { resources } = await deploy(args);
      const task = single(resources, "aws:ecs/taskDefinition:TaskDefinition", "fleet-loadgen");
      const c = containerOf(task);
      assert.deepEqual(c.command, ["--allow-remote", "--mode", "rate"]);
      assert.equal(c.portMappings, undefined, "a job serves nothing");
      assert.equal(c.healthCheck, undefined, "a job has no health check it could pass");
      assert.deepEqual(c.environment, [
        { name: "LOG_LEVEL", value: "info" },
        { name: "TARGET", value: `${scheme}://fleet-alb-123456.eu-west-1.elb.amazonaws.com/orders` },
      ]);
      // Services keep their port mapping and health check, and no command of their own.
      const api = containerOf(single(resources, "aws:ecs/taskDefinition:TaskDefinition", "fleet-api"));
      assert.equal((api.portMappings as { containerPort: number }[])[0]!.containerPort, 8000);
      assert.ok(api.healthCheck);
      assert.equal(api.command, undefined);
    }
  });

  it("refuses a job with a port, a service without one, and a public URL of a service without routes", async () => {
    const refused = async (services: FleetService[], message: RegExp) =>
      assert.rejects(
        runUnderMocks(() => void new AwsServiceFleet("fleet", { services, network })),
        message,
      );
    await refused([api, { ...job, port: 8091 }], /loadgen: a job serves no HTTP/);
    await refused([{ ...worker, port: undefined }], /worker: a worker needs port, livenessPath/);
    await refused([api, { ...worker, args: ["--x"] }], /worker: args are a job's/);
    await refused(
      [api, worker, { ...job, publicUrlEnvironment: { TARGET: "worker" } }],
      /loadgen: publicUrlEnvironment\.TARGET: worker has no public URL/,
    );
  });

  it("an init container runs to completion before the service, hardened the same way", async () => {
    const withInit = service({
      name: "db-user",
      secrets: { DB_PASSWORD: `${SECRET_ARN}:password::` },
      secretArns: [SECRET_ARN],
      initContainer: {
        name: "create-database",
        image: "public.ecr.aws/docker/library/mariadb:11.4.4",
        user: "999:999",
        command: ["sh", "-c", "exec mariadb --execute='CREATE DATABASE IF NOT EXISTS x'"],
        environment: { DB_HOST: "db" },
        secrets: { MYSQL_PWD: `${SECRET_ARN}:password::` },
      },
    });
    const { resources } = await runUnderMocks(
      () => void new AwsServiceFleet("fleet", { services: [withInit], network }),
    );
    const task = single(resources, "aws:ecs/taskDefinition:TaskDefinition");
    const [main, init] = JSON.parse(String(task.inputs.containerDefinitions)) as Record<string, unknown>[];
    assert.deepEqual(main!.dependsOn, [{ containerName: "create-database", condition: "SUCCESS" }]);
    assert.equal(init!.essential, false);
    assert.equal(init!.readonlyRootFilesystem, true);
    assert.equal(init!.user, "999:999");
    assert.deepEqual(init!.secrets, [{ name: "MYSQL_PWD", valueFrom: `${SECRET_ARN}:password::` }]);
    assert.deepEqual(task.inputs.volumes, [
      { name: "tmp" },
      { name: "rds-ca", hostPath: "/opt/battle-ready/rds-ca" },
    ]);
  });

  it("load balancing: one ALB, a target group per public service health-checked on liveness (ECS replaces what the ALB calls unhealthy)", async () => {
    const { resources, outputs } = await deploy();
    assert.equal(ofType(resources, "aws:lb/loadBalancer:LoadBalancer").length, 1);
    const alb = single(resources, "aws:lb/loadBalancer:LoadBalancer").inputs;
    assert.equal(alb.dropInvalidHeaderFields, true);
    const groups = ofType(resources, "aws:lb/targetGroup:TargetGroup");
    assert.equal(groups.length, 1, "only the public service gets a target group");
    const healthCheck = groups[0]!.inputs.healthCheck as Record<string, unknown>;
    assert.equal(healthCheck.path, "/healthz");
    const rule = single(resources, "aws:lb/listenerRule:ListenerRule").inputs;
    assert.deepEqual(rule.conditions, [{ pathPattern: { values: ["/orders", "/orders/*"] } }]);
    assert.equal(outputs.urls.api, "http://fleet-alb-123456.eu-west-1.elb.amazonaws.com/orders");
    const [listener] = ofType(resources, "aws:lb/listener:Listener");
    assert.equal(listener!.inputs.protocol, "HTTP");
  });

  it("HTTPS with a certificate: a TLS listener and a redirect from HTTP", async () => {
    const { resources, outputs } = await deploy({
      certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/x",
    });
    const listeners = ofType(resources, "aws:lb/listener:Listener").map((l) => l.inputs);
    const http = listeners.find((l) => l.port === 80)!;
    const https = listeners.find((l) => l.port === 443)!;
    assert.deepEqual(http.defaultActions, [
      { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } },
    ]);
    assert.equal(https.protocol, "HTTPS");
    assert.match(String(https.sslPolicy), /TLS13/);
    assert.match(String(outputs.urls.api), /^https:\/\//);
  });

  it("deployments roll back on failure; services register in Cloud Map", async () => {
    const { resources } = await deploy();
    const services = ofType(resources, "aws:ecs/service:Service");
    assert.deepEqual(services.map((s) => s.inputs.name).sort(), ["api", "worker"], "jobs are not services");
    for (const s of services) {
      assert.deepEqual(s.inputs.deploymentCircuitBreaker, { enable: true, rollback: true });
      assert.ok(s.inputs.serviceRegistries, "registered for SRV discovery");
      const connect = s.inputs.serviceConnectConfiguration as {
        services: { clientAlias: { dnsName: string }[] }[];
      };
      assert.equal(connect.services[0]!.clientAlias[0]!.dnsName, `${s.inputs.name}.fleet.internal`);
    }
    const discovery = ofType(resources, "aws:servicediscovery/service:Service").map((d) => d.inputs.name);
    assert.deepEqual(discovery.sort(), ["_api._tcp", "_worker._tcp"]);
  });

  it("scaling: bounds from args, target tracking on CPU for all and on requests per target for public services", async () => {
    const { resources } = await deploy();
    const targets = ofType(resources, "aws:appautoscaling/target:Target");
    const apiTarget = targets.find((t) => t.name === "fleet-api")!.inputs;
    assert.equal(apiTarget.minCapacity, 2);
    assert.equal(apiTarget.maxCapacity, 6);
    const policies = ofType(resources, "aws:appautoscaling/policy:Policy");
    const metric = (p: RecordedResource) =>
      (
        p.inputs.targetTrackingScalingPolicyConfiguration as {
          predefinedMetricSpecification: { predefinedMetricType: string };
        }
      ).predefinedMetricSpecification.predefinedMetricType;
    assert.deepEqual(policies.map((p) => `${p.name}:${metric(p)}`).sort(), [
      "fleet-api-cpu:ECSServiceAverageCPUUtilization",
      "fleet-api-requests:ALBRequestCountPerTarget",
      "fleet-worker-cpu:ECSServiceAverageCPUUtilization",
    ]);
    const requests = policies.find((p) => p.name === "fleet-api-requests")!.inputs
      .targetTrackingScalingPolicyConfiguration as {
      targetValue: number;
      predefinedMetricSpecification: { resourceLabel: string };
    };
    assert.equal(requests.targetValue, 1000);
    assert.equal(
      requests.predefinedMetricSpecification.resourceLabel,
      "app/fleet-alb/abc123/targetgroup/fleet-api/abc123",
    );
  });

  it("scaling on a queue: a metric-math policy of queue depth per running task, for that service only", async () => {
    const consumer = service({
      name: "matcher",
      kind: "worker",
      port: 8103,
      scaling: {
        min: 1,
        max: 6,
        cpuTarget: 70,
        queue: { name: "match-requests", targetDepthPerInstance: 20 },
      },
    });
    const { resources } = await runUnderMocks(() => {
      new AwsServiceFleet("fleet", {
        services: [api, worker, consumer, job],
        network,
        brokerName: "dev-activemq",
      });
    });
    const policies = ofType(resources, "aws:appautoscaling/policy:Policy");
    assert.deepEqual(policies.map((p) => p.name).sort(), [
      "fleet-api-cpu",
      "fleet-api-requests",
      "fleet-matcher-cpu",
      "fleet-matcher-queue",
      "fleet-worker-cpu",
    ]);
    const queue = policies.find((p) => p.name === "fleet-matcher-queue")!.inputs;
    assert.equal(queue.policyType, "TargetTrackingScaling");
    assert.equal(queue.resourceId, "service/fleet-cluster/matcher");
    const config = queue.targetTrackingScalingPolicyConfiguration as {
      targetValue: number;
      predefinedMetricSpecification?: unknown;
      customizedMetricSpecification: {
        metrics: {
          id: string;
          expression?: string;
          returnData?: boolean;
          metricStat?: {
            stat: string;
            metric: { namespace: string; metricName: string; dimensions: { name: string; value: string }[] };
          };
        }[];
      };
    };
    assert.equal(config.targetValue, 20);
    assert.equal(config.predefinedMetricSpecification, undefined);
    const metrics = Object.fromEntries(config.customizedMetricSpecification.metrics.map((m) => [m.id, m]));
    assert.deepEqual(metrics.depth!.metricStat!.metric, {
      namespace: "AWS/AmazonMQ",
      metricName: "QueueSize",
      // Amazon MQ names the active instance `<broker>-1` in its metrics.
      dimensions: [
        { name: "Broker", value: "dev-activemq-1" },
        { name: "Queue", value: "match-requests" },
      ],
    });
    assert.deepEqual(metrics.tasks!.metricStat!.metric, {
      namespace: "ECS/ContainerInsights",
      metricName: "RunningTaskCount",
      dimensions: [
        { name: "ClusterName", value: "fleet-cluster" },
        { name: "ServiceName", value: "matcher" },
      ],
    });
    assert.equal(metrics.depthPerTask!.expression, "depth / tasks");
    assert.deepEqual(
      config.customizedMetricSpecification.metrics.filter((m) => m.returnData).map((m) => m.id),
      ["depthPerTask"],
      "exactly one series drives the policy",
    );
  });

  it("refuses queue scaling without the broker's name or without Container Insights", () => {
    const consumer = service({
      name: "matcher",
      kind: "worker",
      scaling: { min: 1, max: 2, cpuTarget: 70, queue: { name: "jobs", targetDepthPerInstance: 10 } },
    });
    assert.throws(
      () => new AwsServiceFleet("f", { services: [consumer], network }),
      /matcher\.scaling\.queue needs brokerName/,
    );
    assert.throws(
      () =>
        new AwsServiceFleet("f", {
          services: [consumer],
          network,
          brokerName: "mq",
          containerInsights: "disabled",
        }),
      /RunningTaskCount; enable containerInsights/,
    );
  });

  it("refuses a secret-looking plain variable and conflicting bounds synchronously", () => {
    const leaky = service({ name: "leaky", environment: { DB_PASSWORD: "hunter2" } });
    assert.throws(() => new AwsServiceFleet("f", { services: [leaky], network }), /looks secret/);
    const inverted = service({ name: "inverted", scaling: { min: 3, max: 2, cpuTarget: 50 } });
    assert.throws(() => new AwsServiceFleet("f", { services: [inverted], network }), /scaling.min must be ≤/);
    assert.throws(
      () => new AwsServiceFleet("f", { services: [], network, minInstances: 3, maxInstances: 2 }),
      /maxInstances/,
    );
  });

  describe("pure helpers", () => {
    it("plans ALB routes: prefixes, route patterns, and collisions moved under an invented prefix", () => {
      assert.equal(routePattern("/todos/:id"), "/todos/*");
      const routes = planAlbRoutes([
        {
          name: "orders",
          ingressPrefix: "/orders",
          publicRoutes: [
            { method: "GET", path: "/orders/:id" },
            { method: "GET", path: "/health" },
          ],
        },
        {
          name: "todo",
          publicRoutes: [
            { method: "GET", path: "/" },
            { method: "GET", path: "/todos/:id" },
          ],
        },
        {
          name: "shop",
          publicRoutes: [
            { method: "GET", path: "/" },
            { method: "GET", path: "/app.js" },
          ],
        },
        { name: "internal", publicRoutes: [] },
      ]);
      assert.deepEqual(routes, [
        { service: "orders", pathPatternGroups: [["/orders", "/orders/*", "/health"]], urlPath: "/orders" },
        {
          service: "todo",
          pathPatternGroups: [["/todo", "/todo/*"]],
          stripPrefix: "/todo",
          urlPath: "/todo/",
        },
        {
          service: "shop",
          pathPatternGroups: [["/shop", "/shop/*"]],
          stripPrefix: "/shop",
          urlPath: "/shop/",
        },
      ]);
      assert.deepEqual(stripPrefixRewrite("/todo"), { regex: "^/todo(?:/(.*))?$", replace: "/$1" });
      const hosts = planAlbRoutes(
        [{ name: "todo", publicRoutes: [{ method: "GET", path: "/" }] }],
        "example.com",
      );
      assert.deepEqual(hosts[0], {
        service: "todo",
        pathPatternGroups: [],
        host: "todo.example.com",
        urlPath: "",
      });
      assert.throws(
        () =>
          planAlbRoutes([
            { name: "a", ingressPrefix: "/x", publicRoutes: [{ method: "GET", path: "/x" }] },
            { name: "b", ingressPrefix: "/x", publicRoutes: [{ method: "GET", path: "/x" }] },
          ]),
        /share the path prefix/,
      );
    });

    it("splits more than five paths over several rules", () => {
      const many = Array.from({ length: 7 }, (_, i) => ({ method: "GET" as const, path: `/p${i}` }));
      const [route] = planAlbRoutes([{ name: "many", publicRoutes: many }]);
      assert.deepEqual(
        route!.pathPatternGroups.map((g) => g.length),
        [5, 2],
      );
    });

    it("builds a container definition that refuses plain secrets", () => {
      const base = {
        name: "x",
        image: "img",
        port: 3000,
        livenessPath: "/healthz",
        cpu: 256,
        memory: 256,
        secrets: {},
        logGroupName: "/ecs/x",
        region: "eu-west-1",
        mountRdsCaBundle: true,
      };
      const c = containerDefinition({ ...base, environment: { A: "1" } });
      assert.equal(c.cpu, 262);
      assert.deepEqual(
        (c.mountPoints as { containerPath: string }[]).map((m) => m.containerPath),
        ["/tmp", "/etc/rds-ca"],
      );
      assert.throws(() => containerDefinition({ ...base, environment: { API_TOKEN: "t" } }), /looks secret/);
    });
  });
});
