import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { transform } from "../shared/transform";
import type { FleetServiceOutputs, ServiceFleetArgs } from "./args";
import { createCapacity } from "./aws-instances";
import { createLoadBalancer } from "./aws-load-balancer";
import { createFleetService } from "./aws-service";
import { validateServiceFleetArgs } from "./validate";

/**
 * A fleet of services on ECS with the EC2 launch type: an ECS-optimized Auto Scaling group behind
 * a capacity provider with managed scaling, a cluster with Container Insights, one ALB routing by
 * path (or host) to a target group per public service, task definitions that run non-root on a
 * read-only root filesystem with secrets injected by reference and logs to CloudWatch, the
 * deployment circuit breaker with rollback, target tracking on CPU, ALB requests per target and
 * (for queue consumers) queue depth per task, and service discovery through Cloud Map (SRV
 * records and Service Connect aliases).
 *
 * Cost: t3.micro is free for 750 hours a month in the first year (one instance all month), then
 * ~$7.60/month; the 30 GB gp3 root volume fits the 30 GB EBS allowance. The ALB is free for 750
 * hours and 15 LCUs in the first year, then ~$16/month plus LCUs. Container Insights bills its
 * custom metrics (~$0.30 per metric-month beyond the 10 free metrics). Service Connect adds a proxy
 * container per task (no charge, but ~64 MiB of memory). Cloud Map DNS queries are billed via
 * Route 53 ($0.40 per million) and the hosted zone at $0.50/month.
 */
export class AwsServiceFleet extends pulumi.ComponentResource {
  readonly services: Record<string, FleetServiceOutputs>;
  readonly clusterName: pulumi.Output<string>;
  readonly loadBalancerDnsName: pulumi.Output<string>;
  readonly loadBalancerArnSuffix: pulumi.Output<string>;
  readonly namespaceName: string;

  constructor(name: string, args: ServiceFleetArgs, opts?: pulumi.ComponentResourceOptions) {
    super("battle-ready:aws:ServiceFleet", name, {}, opts);
    validateServiceFleetArgs(name, args);
    const t = args.transform ?? {};
    const { cluster, capacityProvider, association } = createCapacity(name, args, this);
    const { loadBalancer, listeners, endpoints } = createLoadBalancer(name, args, this);
    this.namespaceName = args.discoveryNamespace ?? `${args.namePrefix ?? name}.internal`;
    const namespace = new aws.servicediscovery.PrivateDnsNamespace(
      ...transform(
        t.namespace,
        `${name}-discovery`,
        {
          name: this.namespaceName,
          vpc: args.network.vpcId,
          description: `${name}: service discovery`,
          tags: args.tags,
        },
        { parent: this },
      ),
    );
    const region = aws.getRegionOutput({}, { parent: this }).region;
    const publicUrls = new Map([...endpoints].map(([service, endpoint]) => [service, endpoint.url]));
    this.services = {};
    for (const service of args.services) {
      this.services[service.name] = createFleetService(
        name,
        service,
        args,
        {
          cluster,
          capacityProvider,
          namespace,
          namespaceName: this.namespaceName,
          region,
          loadBalancerArnSuffix: loadBalancer.arnSuffix,
          endpoint: endpoints.get(service.name),
          publicUrls,
          listeners,
          capacityAssociation: association,
          brokerName: args.brokerName,
        },
        this,
      );
    }
    this.clusterName = cluster.name;
    this.loadBalancerDnsName = loadBalancer.dnsName;
    this.loadBalancerArnSuffix = loadBalancer.arnSuffix;
    this.registerOutputs({
      clusterName: this.clusterName,
      loadBalancerDnsName: this.loadBalancerDnsName,
      urls: Object.fromEntries(
        Object.values(this.services)
          .filter((s) => s.url)
          .map((s) => [s.name, s.url]),
      ),
    });
  }
}
