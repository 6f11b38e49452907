import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { nameTags } from "../shared/tags";
import { transform } from "../shared/transform";
import type { ServiceFleetArgs } from "./args";
import { instanceUserData } from "./container";

export const ECS_AMI_PARAMETER = "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id";

const EC2_TRUST = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
});

/**
 * The cluster and the EC2 capacity it runs on: ECS-optimized AMI from SSM, IMDSv2 only (hop limit
 * 1, so containers cannot reach the instance's credentials), encrypted gp3 root volume, an Auto
 * Scaling group scaled by an ECS capacity provider (managed scaling and termination protection).
 */
export function createCapacity(name: string, args: ServiceFleetArgs, parent: pulumi.Resource) {
  const t = args.transform ?? {};
  const tags = args.tags ?? {};
  const cluster = new aws.ecs.Cluster(
    ...transform(
      t.cluster,
      `${name}-cluster`,
      {
        settings: [{ name: "containerInsights", value: args.containerInsights ?? "enabled" }],
        tags: nameTags(name, tags),
      },
      { parent },
    ),
  );
  const role = new aws.iam.Role(
    ...transform(
      t.instanceRole,
      `${name}-instance`,
      {
        assumeRolePolicy: EC2_TRUST,
        managedPolicyArns: [
          "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role",
          "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
        ],
        tags,
      },
      { parent },
    ),
  );
  const profile = new aws.iam.InstanceProfile(
    ...transform(t.instanceProfile, `${name}-instance`, { role: role.name, tags }, { parent }),
  );
  const ami = aws.ssm.getParameterOutput({ name: args.amiParameter ?? ECS_AMI_PARAMETER }, { parent });
  const launchTemplate = new aws.ec2.LaunchTemplate(
    ...transform(
      t.launchTemplate,
      `${name}-instances`,
      {
        imageId: ami.value,
        instanceType: args.instanceType ?? "t3.micro",
        iamInstanceProfile: { arn: profile.arn },
        metadataOptions: {
          httpEndpoint: "enabled",
          httpTokens: "required",
          httpPutResponseHopLimit: 1,
          instanceMetadataTags: "disabled",
        },
        blockDeviceMappings: [
          {
            deviceName: "/dev/xvda",
            ebs: {
              volumeSize: args.rootVolumeGiB ?? 30,
              volumeType: "gp3",
              encrypted: "true",
              deleteOnTermination: "true",
            },
          },
        ],
        networkInterfaces: [
          {
            associatePublicIpAddress: String(args.network.assignPublicIp),
            securityGroups: args.network.instanceSecurityGroupIds,
            deleteOnTermination: "true",
          },
        ],
        monitoring: { enabled: false },
        userData: cluster.name.apply((clusterName) =>
          Buffer.from(instanceUserData(clusterName)).toString("base64"),
        ),
        updateDefaultVersion: true,
        tagSpecifications: [
          { resourceType: "instance", tags: nameTags(`${name}-instance`, tags) },
          { resourceType: "volume", tags: nameTags(`${name}-root`, tags) },
        ],
        tags,
      },
      { parent },
    ),
  );
  const group = new aws.autoscaling.Group(
    ...transform(
      t.autoScalingGroup,
      `${name}-instances`,
      {
        vpcZoneIdentifiers: args.network.instanceSubnetIds,
        minSize: args.minInstances ?? 1,
        maxSize: args.maxInstances ?? 2,
        launchTemplate: { id: launchTemplate.id, version: launchTemplate.latestVersion.apply(String) },
        protectFromScaleIn: true,
        healthCheckType: "EC2",
        healthCheckGracePeriod: 120,
        instanceRefresh: { strategy: "Rolling", preferences: { minHealthyPercentage: 50 } },
        tags: [
          { key: "AmazonECSManaged", value: "true", propagateAtLaunch: true },
          ...Object.entries(nameTags(`${name}-instance`, tags)).map(([key, value]) => ({
            key,
            value,
            propagateAtLaunch: true,
          })),
        ],
      },
      { parent, ignoreChanges: ["desiredCapacity"] },
    ),
  );
  const capacityProvider = new aws.ecs.CapacityProvider(
    ...transform(
      t.capacityProvider,
      `${name}-capacity`,
      {
        autoScalingGroupProvider: {
          autoScalingGroupArn: group.arn,
          managedTerminationProtection: "ENABLED",
          managedScaling: {
            status: "ENABLED",
            targetCapacity: args.targetCapacityPercent ?? 100,
            minimumScalingStepSize: 1,
            maximumScalingStepSize: 2,
          },
        },
        tags,
      },
      { parent },
    ),
  );
  const association = new aws.ecs.ClusterCapacityProviders(
    ...transform(
      t.clusterCapacityProviders,
      `${name}-capacity`,
      {
        clusterName: cluster.name,
        capacityProviders: [capacityProvider.name],
        defaultCapacityProviderStrategies: [{ capacityProvider: capacityProvider.name, weight: 1, base: 0 }],
      },
      { parent },
    ),
  );
  return { cluster, capacityProvider, association };
}
