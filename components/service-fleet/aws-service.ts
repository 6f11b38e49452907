import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { brokerMetricName } from "../queue-broker/endpoint";
import { nameTags } from "../shared/tags";
import { transform } from "../shared/transform";
import type { FleetService, FleetServiceOutputs, ServiceFleetArgs } from "./args";
import type { PublicEndpoint } from "./aws-load-balancer";
import { containerDefinition, initContainerDefinition, RDS_CA_HOST_DIR } from "./container";

const ECS_TASKS_TRUST = JSON.stringify({
  Version: "2012-10-17",
  Statement: [
    { Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" },
  ],
});

const DYNAMODB_DATA_ACTIONS = [
  "dynamodb:BatchGetItem",
  "dynamodb:BatchWriteItem",
  "dynamodb:ConditionCheckItem",
  "dynamodb:DeleteItem",
  "dynamodb:DescribeTable",
  "dynamodb:GetItem",
  "dynamodb:PutItem",
  "dynamodb:Query",
  "dynamodb:Scan",
  "dynamodb:UpdateItem",
];

export interface ServiceContext {
  cluster: aws.ecs.Cluster;
  capacityProvider: aws.ecs.CapacityProvider;
  namespace: aws.servicediscovery.PrivateDnsNamespace;
  namespaceName: string;
  region: pulumi.Output<string>;
  loadBalancerArnSuffix: pulumi.Output<string>;
  endpoint?: PublicEndpoint;
  /** The public URL of every service with public routes (for `publicUrlEnvironment`). */
  publicUrls: ReadonlyMap<string, pulumi.Output<string>>;
  listeners: aws.lb.Listener[];
  /** The cluster's capacity provider association: services using the provider wait for it. */
  capacityAssociation: aws.ecs.ClusterCapacityProviders;
  /** The Amazon MQ broker's name, for services scaling on a queue's depth. */
  brokerName?: pulumi.Input<string>;
}

/**
 * One service: its log group, an execution role that may read only its own secrets, a task role
 * (its DynamoDB tables), the task definition, a Cloud Map SRV registration and a Service Connect
 * alias, the ECS service with the deployment circuit breaker, and target tracking on CPU, on
 * ALB requests per target and, for a queue consumer, on the queue's depth per running task. A
 * job gets the log group, roles and task definition only: its `args` as the container's command,
 * no port mapping and no health check (it serves no HTTP), run with `aws ecs run-task`.
 */
export function createFleetService(
  name: string,
  service: FleetService,
  args: ServiceFleetArgs,
  ctx: ServiceContext,
  parent: pulumi.Resource,
): FleetServiceOutputs {
  const t = args.transform ?? {};
  const job = service.kind === "job";
  const fail = (problem: string): never => {
    throw new Error(`ServiceFleet ${name}: ${service.name}: ${problem}`);
  };
  if (job && (service.port !== undefined || service.livenessPath || service.readinessPath))
    fail("a job serves no HTTP: give it no port, livenessPath or readinessPath");
  if (!job && (service.port === undefined || !service.livenessPath || !service.readinessPath))
    fail(`a ${service.kind} needs port, livenessPath and readinessPath`);
  if (!job && service.args) fail("args are a job's (a service or worker runs its image's entrypoint)");
  const publicUrlEnvironment = Object.entries(service.publicUrlEnvironment ?? {}).map(
    ([variable, target]): [string, pulumi.Output<string>] => [
      variable,
      ctx.publicUrls.get(target) ??
        fail(
          `publicUrlEnvironment.${variable}: ${target} has no public URL (no public routes in this fleet)`,
        ),
    ],
  );
  for (const [variable] of publicUrlEnvironment)
    if (variable in (service.environment ?? {}))
      fail(`${variable} is in both environment and publicUrlEnvironment`);
  const tags = nameTags(service.name, { ...args.tags, service: service.name, system: service.system });
  const id = `${name}-${service.name}`;
  const prefix = args.namePrefix ?? name;

  const logGroup = new aws.cloudwatch.LogGroup(
    ...transform(
      t.logGroup,
      id,
      { name: `/ecs/${prefix}/${service.name}`, retentionInDays: args.logRetentionDays ?? 7, tags },
      { parent },
    ),
  );
  const secretArns = service.secretArns ?? [];
  const executionRole = new aws.iam.Role(
    ...transform(
      t.executionRole,
      `${id}-execution`,
      {
        assumeRolePolicy: ECS_TASKS_TRUST,
        managedPolicyArns: ["arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"],
        inlinePolicies:
          secretArns.length > 0
            ? [
                {
                  name: "read-own-secrets",
                  policy: pulumi.all(secretArns).apply((arns) =>
                    JSON.stringify({
                      Version: "2012-10-17",
                      Statement: [
                        {
                          Effect: "Allow",
                          Action: "secretsmanager:GetSecretValue",
                          Resource: [...new Set(arns)].sort(),
                        },
                      ],
                    }),
                  ),
                },
              ]
            : undefined,
        tags,
      },
      { parent },
    ),
  );
  const tableArns = service.dynamoTableArns ?? [];
  const taskRole = new aws.iam.Role(
    ...transform(
      t.taskRole,
      `${id}-task`,
      {
        assumeRolePolicy: ECS_TASKS_TRUST,
        inlinePolicies:
          tableArns.length > 0
            ? [
                {
                  name: "own-dynamodb-tables",
                  policy: pulumi.all(tableArns).apply((arns) =>
                    JSON.stringify({
                      Version: "2012-10-17",
                      Statement: [
                        {
                          Effect: "Allow",
                          Action: DYNAMODB_DATA_ACTIONS,
                          Resource: arns.flatMap((arn) => [arn, `${arn}/index/*`]),
                        },
                      ],
                    }),
                  ),
                },
              ]
            : undefined,
        tags,
      },
      { parent },
    ),
  );
  const init = service.initContainer;
  const mountRdsCaBundle = service.mountRdsCaBundle ?? false;
  const containerDefinitions = pulumi
    .all([
      service.image,
      pulumi.all({ ...service.environment, ...Object.fromEntries(publicUrlEnvironment) }),
      service.secrets ?? {},
      init?.environment ?? {},
      init?.secrets ?? {},
      logGroup.name,
      ctx.region,
    ])
    .apply(([image, environment, secrets, initEnvironment, initSecrets, logGroupName, region]) =>
      JSON.stringify([
        containerDefinition({
          name: service.name,
          image,
          port: service.port,
          livenessPath: service.livenessPath,
          command: job && service.args?.length ? service.args : undefined,
          cpu: service.cpu,
          memory: service.memory,
          reservation: service.reservation,
          environment,
          secrets,
          logGroupName,
          region,
          mountRdsCaBundle,
          waitFor: init?.name,
        }),
        ...(init
          ? [
              initContainerDefinition({
                name: init.name,
                image: init.image,
                user: init.user,
                command: init.command,
                environment: initEnvironment,
                secrets: initSecrets,
                logGroupName,
                region,
                mountRdsCaBundle: true,
              }),
            ]
          : []),
      ]),
    );
  const taskDefinition = new aws.ecs.TaskDefinition(
    ...transform(
      t.taskDefinition,
      id,
      {
        family: `${prefix}-${service.name}`,
        networkMode: "bridge",
        requiresCompatibilities: ["EC2"],
        executionRoleArn: executionRole.arn,
        taskRoleArn: taskRole.arn,
        containerDefinitions,
        volumes: [
          { name: "tmp" },
          ...(mountRdsCaBundle || init ? [{ name: "rds-ca", hostPath: RDS_CA_HOST_DIR }] : []),
        ],
        tags,
      },
      { parent },
    ),
  );
  if (job) {
    return {
      name: service.name,
      system: service.system,
      kind: service.kind,
      logGroupName: logGroup.name,
      taskDefinitionArn: taskDefinition.arn,
    };
  }
  const port = service.port ?? fail("has no port");

  const discovery = new aws.servicediscovery.Service(
    ...transform(
      t.discoveryService,
      id,
      {
        name: srvServiceName(service.name),
        dnsConfig: {
          namespaceId: ctx.namespace.id,
          dnsRecords: [{ type: "SRV", ttl: 10 }],
          routingPolicy: "MULTIVALUE",
        },
        healthCheckCustomConfig: { failureThreshold: 1 },
        tags,
      },
      { parent },
    ),
  );
  const publicEndpoint = ctx.endpoint;
  const ecsService = new aws.ecs.Service(
    ...transform(
      t.service,
      id,
      {
        name: service.name,
        cluster: ctx.cluster.arn,
        taskDefinition: taskDefinition.arn,
        desiredCount: service.scaling.min,
        capacityProviderStrategies: [{ capacityProvider: ctx.capacityProvider.name, weight: 1 }],
        deploymentCircuitBreaker: { enable: true, rollback: true },
        deploymentMinimumHealthyPercent: 50,
        deploymentMaximumPercent: 200,
        orderedPlacementStrategies: [
          { type: "spread", field: "attribute:ecs.availability-zone" },
          { type: "binpack", field: "memory" },
        ],
        loadBalancers: publicEndpoint
          ? [
              {
                targetGroupArn: publicEndpoint.targetGroup.arn,
                containerName: service.name,
                containerPort: port,
              },
            ]
          : undefined,
        healthCheckGracePeriodSeconds: publicEndpoint ? 60 : undefined,
        serviceRegistries: {
          registryArn: discovery.arn,
          containerName: service.name,
          containerPort: port,
        },
        serviceConnectConfiguration: {
          enabled: true,
          namespace: ctx.namespace.arn,
          services: [
            {
              portName: "http",
              discoveryName: service.name,
              clientAlias: [{ port, dnsName: `${service.name}.${ctx.namespaceName}` }],
            },
          ],
          logConfiguration: {
            logDriver: "awslogs",
            options: {
              "awslogs-group": logGroup.name,
              "awslogs-region": ctx.region,
              "awslogs-stream-prefix": "service-connect",
            },
          },
        },
        enableExecuteCommand: false,
        propagateTags: "SERVICE",
        waitForSteadyState: false,
        tags,
      },
      {
        parent,
        dependsOn: [...ctx.listeners, ctx.capacityAssociation, ...(publicEndpoint?.rules ?? [])],
        ignoreChanges: ["desiredCount"],
      },
    ),
  );

  const resourceId = pulumi.interpolate`service/${ctx.cluster.name}/${ecsService.name}`;
  const scalingTarget = new aws.appautoscaling.Target(
    ...transform(
      t.scalingTarget,
      id,
      {
        serviceNamespace: "ecs",
        scalableDimension: "ecs:service:DesiredCount",
        resourceId,
        minCapacity: service.scaling.min,
        maxCapacity: service.scaling.max,
        tags,
      },
      { parent },
    ),
  );
  const policy = (
    suffix: string,
    config: aws.types.input.appautoscaling.PolicyTargetTrackingScalingPolicyConfiguration,
  ) =>
    new aws.appautoscaling.Policy(
      ...transform(
        t.scalingPolicy,
        `${id}-${suffix}`,
        {
          policyType: "TargetTrackingScaling",
          serviceNamespace: scalingTarget.serviceNamespace,
          scalableDimension: scalingTarget.scalableDimension,
          resourceId: scalingTarget.resourceId,
          targetTrackingScalingPolicyConfiguration: config,
        },
        { parent },
      ),
    );
  policy("cpu", {
    predefinedMetricSpecification: { predefinedMetricType: "ECSServiceAverageCPUUtilization" },
    targetValue: service.scaling.cpuTarget,
    scaleInCooldown: 300,
    scaleOutCooldown: 60,
  });
  if (publicEndpoint && service.scaling.requestsPerTarget !== undefined) {
    policy("requests", {
      predefinedMetricSpecification: {
        predefinedMetricType: "ALBRequestCountPerTarget",
        resourceLabel: pulumi.interpolate`${ctx.loadBalancerArnSuffix}/${publicEndpoint.targetGroup.arnSuffix}`,
      },
      targetValue: service.scaling.requestsPerTarget,
      scaleInCooldown: 300,
      scaleOutCooldown: 60,
    });
  }
  const queue = service.scaling.queue;
  if (queue && ctx.brokerName !== undefined) {
    policy(
      "queue",
      queueDepthPerTask({
        brokerName: ctx.brokerName,
        queue: queue.name,
        clusterName: ctx.cluster.name,
        serviceName: ecsService.name,
        targetDepthPerInstance: queue.targetDepthPerInstance,
      }),
    );
  }
  return {
    name: service.name,
    system: service.system,
    kind: service.kind,
    logGroupName: logGroup.name,
    serviceName: ecsService.name,
    taskDefinitionArn: taskDefinition.arn,
    url: publicEndpoint?.url,
    targetGroupArnSuffix: publicEndpoint?.targetGroup.arnSuffix,
  };
}

/** The Cloud Map service name whose SRV record a service is published under: `_<name>._tcp`. */
export function srvServiceName(service: string): string {
  return `_${service}._tcp`;
}

/**
 * Target tracking on a queue's backlog per task (metric math): Amazon MQ's `QueueSize` for the
 * queue on the active instance (`<broker>-1`) divided by the service's running tasks (Container
 * Insights), held at `targetDepthPerInstance`. Scale-out reacts within a minute to a burst;
 * scale-in waits five minutes so a drained queue does not flap the count between bursts.
 */
export function queueDepthPerTask(q: {
  brokerName: pulumi.Input<string>;
  queue: string;
  clusterName: pulumi.Input<string>;
  serviceName: pulumi.Input<string>;
  targetDepthPerInstance: number;
}): aws.types.input.appautoscaling.PolicyTargetTrackingScalingPolicyConfiguration {
  return {
    customizedMetricSpecification: {
      metrics: [
        {
          id: "depth",
          label: `${q.queue} messages waiting`,
          metricStat: {
            metric: {
              namespace: "AWS/AmazonMQ",
              metricName: "QueueSize",
              dimensions: [
                { name: "Broker", value: pulumi.output(q.brokerName).apply((b) => brokerMetricName(b)) },
                { name: "Queue", value: q.queue },
              ],
            },
            stat: "Average",
          },
          returnData: false,
        },
        {
          id: "tasks",
          label: "running tasks",
          metricStat: {
            metric: {
              namespace: "ECS/ContainerInsights",
              metricName: "RunningTaskCount",
              dimensions: [
                { name: "ClusterName", value: q.clusterName },
                { name: "ServiceName", value: q.serviceName },
              ],
            },
            stat: "Average",
          },
          returnData: false,
        },
        {
          id: "depthPerTask",
          label: `${q.queue} messages per task`,
          expression: "depth / tasks",
          returnData: true,
        },
      ],
    },
    targetValue: q.targetDepthPerInstance,
    scaleInCooldown: 300,
    scaleOutCooldown: 60,
  };
}
