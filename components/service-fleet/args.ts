import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { PublicRoute, ServiceKind } from "../../catalog/types";
import type { Transform } from "../shared/transform";

/** One service of the fleet, with its environment already resolved by the realization. */
export interface FleetService {
  /** DNS-safe name; also the container, log stream and discovery name. */
  name: string;
  /** The family it belongs to (dashboards are per system). */
  system: string;
  /** `service` and `worker` run as ECS services; a `job` gets a task definition to run on demand. */
  kind: ServiceKind;
  /** Image reference, ideally by digest. */
  image: pulumi.Input<string>;
  /** Container port. Required for a service or worker; a job serves no HTTP and takes none. */
  port?: number;
  /** Required for a service or worker; none for a job. */
  readinessPath?: string;
  /** Required for a service or worker (container health check, target group); none for a job. */
  livenessPath?: string;
  /** A job's arguments: the container's command, after the image's entrypoint. @default [] */
  args?: string[];
  /** Routes reachable through the load balancer; empty keeps the service internal. @default [] */
  publicRoutes?: PublicRoute[];
  /** Path prefix the load balancer routes to the service. @default derived from publicRoutes */
  ingressPrefix?: string;
  /** CPU in millicores (1000 = one vCPU). */
  cpu: number;
  /** Hard memory limit in MiB. */
  memory: number;
  /**
   * What the scheduler reserves on an instance (CPU millicores, memory MiB); below the limits,
   * tasks share an instance's headroom (small instances on dev).
   * @default the limits (cpu and memory)
   */
  reservation?: { cpu: number; memory: number };
  /** Plain environment values; a name that looks secret is refused (use `secrets`). @default {} */
  environment?: Record<string, pulumi.Input<string>>;
  /**
   * Plain variables set to another fleet service's public URL (the load balancer's `http(s)://`
   * address and the service's route), variable → service name; that service must have public
   * routes. For a job, which `aws ecs run-task` starts outside Service Connect. @default {}
   */
  publicUrlEnvironment?: Record<string, string>;
  /** Variables read from Secrets Manager at task start: name → `valueFrom` (`<arn>:<json key>::`). @default {} */
  secrets?: Record<string, pulumi.Input<string>>;
  /** Secrets Manager ARNs the task's execution role may read (those behind `secrets`). @default [] */
  secretArns?: pulumi.Input<string>[];
  /** DynamoDB table ARNs the task role may read and write. @default [] */
  dynamoTableArns?: pulumi.Input<string>[];
  /** Mount the RDS CA bundle the instances download (for MySQL over verified TLS). @default false */
  mountRdsCaBundle?: boolean;
  /**
   * A container that runs to completion before the service starts (the service waits for its
   * success), e.g. creating the service's database. It gets the same hardening, logs and RDS CA
   * mount. @default none
   */
  initContainer?: InitContainer;
  /** Task count bounds and target-tracking targets. */
  scaling: { min: number; max: number; cpuTarget: number; requestsPerTarget?: number; queue?: QueueScaling };
}

/** Scale on a consumed queue's depth: messages waiting per running instance. */
export interface QueueScaling {
  /** The queue's name on the broker, without `/queue/` (e.g. `oversupply.match-requests`). */
  name: string;
  /** Target messages waiting per instance. */
  targetDepthPerInstance: number;
}

export interface InitContainer {
  name: string;
  image: string;
  /** Run as this uid:gid (the image's own non-root user). */
  user: string;
  command: string[];
  environment?: Record<string, pulumi.Input<string>>;
  /** name → `valueFrom`, as for the service; their ARNs must be in the service's `secretArns`. */
  secrets?: Record<string, pulumi.Input<string>>;
}

/** Where the fleet runs (from the Network component). */
export interface FleetNetwork {
  vpcId: pulumi.Input<string>;
  /** Public subnets for the load balancer (two zones). */
  albSubnetIds: pulumi.Input<string>[];
  albSecurityGroupIds: pulumi.Input<string>[];
  /** Subnets for the instances (two zones). */
  instanceSubnetIds: pulumi.Input<string>[];
  instanceSecurityGroupIds: pulumi.Input<string>[];
  /** Give instances public IPv4 addresses (needed without NAT). */
  assignPublicIp: boolean;
}

export interface ServiceFleetArgs {
  services: FleetService[];
  network: FleetNetwork;
  /** @default "t3.micro" (free tier) */
  instanceType?: string;
  /** @default 1 */
  minInstances?: number;
  /** @default 2 */
  maxInstances?: number;
  /** Encrypted gp3 root volume; the ECS-optimized AMI needs 30. @default 30 */
  rootVolumeGiB?: number;
  /** How full managed scaling keeps the instances, in percent. @default 100 */
  targetCapacityPercent?: number;
  /** SSM parameter of the ECS-optimized AMI. @default the Amazon Linux 2023 recommended image id */
  amiParameter?: string;
  /** ACM certificate: adds an HTTPS listener and redirects HTTP to it. @default none (HTTP only) */
  certificateArn?: pulumi.Input<string>;
  /** Public domain for host routing (`<service>.<domain>`); DNS records are yours to add. @default none (path routing) */
  publicDomain?: string;
  /** Days the services' log groups keep logs. @default 7 */
  logRetentionDays?: number;
  /**
   * Prefix of physical names (task families, log groups `/ecs/<prefix>/<service>`, the discovery
   * namespace `<prefix>.internal`), to keep stacks apart in one account.
   * @default the component name
   */
  namePrefix?: string;
  /** Private DNS namespace for service discovery. @default `<namePrefix>.internal` */
  discoveryNamespace?: string;
  /** Load balancer deletion protection. @default false */
  deletionProtection?: boolean;
  /**
   * ALB access logs to a private, SSE-S3 bucket the fleet creates, expiring after `retentionDays`
   * under `prefix/` (default "alb"). @default none (retentionDays 0 is the same: no bucket, no logs)
   */
  accessLogs?: { retentionDays: number; prefix?: string };
  /** CloudWatch Container Insights on the cluster ("enhanced" adds per-container metrics at a cost). @default "enabled" */
  containerInsights?: "enabled" | "enhanced" | "disabled";
  /**
   * The Amazon MQ broker's name (the QueueBroker's `endpoint.brokerName`): the `Broker` dimension
   * of the queue-depth metrics that services with `scaling.queue` track. Required by those services.
   * @default none
   */
  brokerName?: pulumi.Input<string>;
  /** Tags on every resource. @default {} */
  tags?: Record<string, string>;
  transform?: {
    instanceRole?: Transform<aws.iam.RoleArgs>;
    instanceProfile?: Transform<aws.iam.InstanceProfileArgs>;
    launchTemplate?: Transform<aws.ec2.LaunchTemplateArgs>;
    autoScalingGroup?: Transform<aws.autoscaling.GroupArgs>;
    capacityProvider?: Transform<aws.ecs.CapacityProviderArgs>;
    cluster?: Transform<aws.ecs.ClusterArgs>;
    clusterCapacityProviders?: Transform<aws.ecs.ClusterCapacityProvidersArgs>;
    namespace?: Transform<aws.servicediscovery.PrivateDnsNamespaceArgs>;
    loadBalancer?: Transform<aws.lb.LoadBalancerArgs>;
    accessLogBucket?: Transform<aws.s3.BucketArgs>;
    listener?: Transform<aws.lb.ListenerArgs>;
    listenerRule?: Transform<aws.lb.ListenerRuleArgs>;
    targetGroup?: Transform<aws.lb.TargetGroupArgs>;
    logGroup?: Transform<aws.cloudwatch.LogGroupArgs>;
    executionRole?: Transform<aws.iam.RoleArgs>;
    taskRole?: Transform<aws.iam.RoleArgs>;
    taskDefinition?: Transform<aws.ecs.TaskDefinitionArgs>;
    discoveryService?: Transform<aws.servicediscovery.ServiceArgs>;
    service?: Transform<aws.ecs.ServiceArgs>;
    scalingTarget?: Transform<aws.appautoscaling.TargetArgs>;
    scalingPolicy?: Transform<aws.appautoscaling.PolicyArgs>;
  };
}

/** What the fleet exposes per service (for outputs, dashboards and alarms). */
export interface FleetServiceOutputs {
  name: string;
  system: string;
  kind: ServiceKind;
  logGroupName: pulumi.Output<string>;
  /** ECS service name (none for jobs). */
  serviceName?: pulumi.Output<string>;
  taskDefinitionArn: pulumi.Output<string>;
  /** Public URL through the load balancer (public services only). */
  url?: pulumi.Output<string>;
  /** Target group ARN suffix, the CloudWatch dimension (public services only). */
  targetGroupArnSuffix?: pulumi.Output<string>;
}
