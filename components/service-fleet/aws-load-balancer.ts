import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { nameTags } from "../shared/tags";
import { transform } from "../shared/transform";
import type { FleetService, ServiceFleetArgs } from "./args";
import { createAccessLogBucket } from "./aws-access-logs";
import { planAlbRoutes, stripPrefixRewrite } from "./routing";

const NOT_FOUND = {
  type: "fixed-response",
  fixedResponse: {
    contentType: "application/json",
    statusCode: "404",
    messageBody: '{"error":"no such route"}',
  },
};

export interface PublicEndpoint {
  targetGroup: aws.lb.TargetGroup;
  /** The rules forwarding to the target group: ECS accepts a target group only once one exists. */
  rules: aws.lb.ListenerRule[];
  url: pulumi.Output<string>;
}

/**
 * One internet-facing ALB for all public services: invalid headers dropped, access logs to S3
 * when `accessLogs` keeps them, HTTP redirected to HTTPS when a certificate is given, a target
 * group per service health-checked on its readiness path, and listener rules routing by path (or
 * host) to it.
 */
export function createLoadBalancer(name: string, args: ServiceFleetArgs, parent: pulumi.Resource) {
  const t = args.transform ?? {};
  const tags = args.tags ?? {};
  const https = args.certificateArn !== undefined;
  const accessLogs = createAccessLogBucket(name, args, parent);
  const loadBalancer = new aws.lb.LoadBalancer(
    ...transform(
      t.loadBalancer,
      `${name}-alb`,
      {
        loadBalancerType: "application",
        internal: false,
        securityGroups: args.network.albSecurityGroupIds,
        subnets: args.network.albSubnetIds,
        dropInvalidHeaderFields: true,
        desyncMitigationMode: "defensive",
        enableDeletionProtection: args.deletionProtection ?? false,
        idleTimeout: 60,
        accessLogs: accessLogs
          ? { bucket: accessLogs.bucket, prefix: accessLogs.prefix, enabled: true }
          : undefined,
        tags: nameTags(name, tags),
      },
      // The ALB checks that it may write to the bucket when access logs are turned on.
      { parent, dependsOn: accessLogs ? [accessLogs.policy] : [] },
    ),
  );
  const listener = (port: number, listenerArgs: Partial<aws.lb.ListenerArgs>) =>
    new aws.lb.Listener(
      ...transform(
        t.listener,
        `${name}-${port}`,
        {
          loadBalancerArn: loadBalancer.arn,
          port,
          defaultActions: [NOT_FOUND],
          tags,
          ...listenerArgs,
        } as aws.lb.ListenerArgs,
        { parent },
      ),
    );
  const http = https
    ? listener(80, {
        protocol: "HTTP",
        defaultActions: [
          { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } },
        ],
      })
    : listener(80, { protocol: "HTTP" });
  const routed = https
    ? listener(443, {
        protocol: "HTTPS",
        certificateArn: args.certificateArn,
        sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
      })
    : http;

  const scheme = https ? "https" : "http";
  const endpoints = new Map<string, PublicEndpoint>();
  const byName = new Map(args.services.map((s) => [s.name, s]));
  let priority = 10;
  for (const route of planAlbRoutes(args.services, args.publicDomain)) {
    const service = byName.get(route.service)!;
    const targetGroup = new aws.lb.TargetGroup(
      ...transform(
        t.targetGroup,
        `${name}-${service.name}`,
        targetGroupArgs(service, args.network.vpcId, tags),
        { parent },
      ),
    );
    const conditionSets: aws.types.input.lb.ListenerRuleCondition[][] = route.host
      ? [[{ hostHeader: { values: [route.host] } }]]
      : route.pathPatternGroups.map((values) => [{ pathPattern: { values } }]);
    const rules = conditionSets.map(
      (conditions, i) =>
        new aws.lb.ListenerRule(
          ...transform(
            t.listenerRule,
            `${name}-${service.name}-${i + 1}`,
            {
              listenerArn: routed.arn,
              priority: priority++,
              conditions,
              actions: [{ type: "forward", targetGroupArn: targetGroup.arn }],
              transforms: route.stripPrefix
                ? [
                    {
                      type: "url-rewrite",
                      urlRewriteConfig: { rewrite: stripPrefixRewrite(route.stripPrefix) },
                    },
                  ]
                : undefined,
              tags,
            },
            { parent },
          ),
        ),
    );
    const base = route.host
      ? pulumi.output(`${scheme}://${route.host}`)
      : pulumi.interpolate`${scheme}://${loadBalancer.dnsName}`;
    endpoints.set(service.name, { targetGroup, rules, url: pulumi.interpolate`${base}${route.urlPath}` });
  }
  return { loadBalancer, listeners: https ? [http, routed] : [http], endpoints };
}

export function targetGroupArgs(
  service: FleetService,
  vpcId: pulumi.Input<string>,
  tags: Record<string, string>,
): aws.lb.TargetGroupArgs {
  return {
    vpcId,
    port: service.port,
    protocol: "HTTP",
    targetType: "instance",
    deregistrationDelay: 30,
    // Liveness, not readiness: ECS replaces a task its target group calls unhealthy, so a
    // readiness check (which fails while MySQL or the broker is down) would cycle every task of the
    // service through a shared outage it is built to ride out, answering 503 + Retry-After itself.
    healthCheck: {
      enabled: true,
      path: service.livenessPath,
      protocol: "HTTP",
      port: "traffic-port",
      matcher: "200",
      interval: 15,
      timeout: 5,
      healthyThreshold: 2,
      unhealthyThreshold: 3,
    },
    tags: nameTags(service.name, tags),
  };
}
