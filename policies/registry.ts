/** Every policy of the pack, in one list: the PolicyPack, the in-process runner and the tests read it. */
import { autoscalingGroupWithinFreeTier } from "./free-tier/autoscaling-group-within-free-tier";
import { cloudwatchAlarmsWithinFreeTier } from "./free-tier/cloudwatch-alarms-within-free-tier";
import { cloudwatchDashboardsWithinFreeTier } from "./free-tier/cloudwatch-dashboards-within-free-tier";
import { dynamodbCapacityWithinFreeTier } from "./free-tier/dynamodb-capacity-within-free-tier";
import { ebsStorageWithinFreeTier } from "./free-tier/ebs-storage-within-free-tier";
import { ec2InstanceTypeAllowed } from "./free-tier/ec2-instance-type-allowed";
import { elasticacheNodeTypeAllowed } from "./free-tier/elasticache-node-type-allowed";
import { elasticacheSingleNode } from "./free-tier/elasticache-single-node";
import { logGroupRetentionSet } from "./free-tier/log-group-retention-set";
import { mqInstanceTypeAllowed } from "./free-tier/mq-instance-type-allowed";
import { mqSingleInstance } from "./free-tier/mq-single-instance";
import { noNatGateway } from "./free-tier/no-nat-gateway";
import { rdsBackupRetentionWithinFreeTier } from "./free-tier/rds-backup-retention-within-free-tier";
import { rdsInstanceClassAllowed } from "./free-tier/rds-instance-class-allowed";
import { rdsSingleAz } from "./free-tier/rds-single-az";
import { rdsStorageWithinFreeTier } from "./free-tier/rds-storage-within-free-tier";
import { singleLoadBalancer } from "./free-tier/single-load-balancer";
import { k8sDropAllCapabilities } from "./kubernetes/k8s-drop-all-capabilities";
import { k8sImageTagPinned } from "./kubernetes/k8s-image-tag-pinned";
import { k8sNetworkPolicyPresent } from "./kubernetes/k8s-network-policy-present";
import { k8sNoHostNamespaces } from "./kubernetes/k8s-no-host-namespaces";
import { k8sNoPrivilegeEscalation } from "./kubernetes/k8s-no-privilege-escalation";
import { k8sProbes } from "./kubernetes/k8s-probes";
import { k8sReadOnlyRootFilesystem } from "./kubernetes/k8s-read-only-root-filesystem";
import { k8sResources } from "./kubernetes/k8s-resources";
import { k8sRunAsNonRoot } from "./kubernetes/k8s-run-as-non-root";
import { k8sSeccompRuntimeDefault } from "./kubernetes/k8s-seccomp-runtime-default";
import type { PlatformPolicy } from "./policy";
import { albDropInvalidHeaders } from "./security/alb-drop-invalid-headers";
import { albHttpsRedirect } from "./security/alb-https-redirect";
import { backupPlanPresent } from "./security/backup-plan-present";
import { dynamodbDeletionProtection } from "./security/dynamodb-deletion-protection";
import { dynamodbEncrypted } from "./security/dynamodb-encrypted";
import { dynamodbPointInTimeRecovery } from "./security/dynamodb-point-in-time-recovery";
import { ebsEncrypted } from "./security/ebs-encrypted";
import { ecrImmutableTags } from "./security/ecr-immutable-tags";
import { ecrScanOnPush } from "./security/ecr-scan-on-push";
import { elasticacheAuthToken } from "./security/elasticache-auth-token";
import { elasticacheEncryptedAtRest } from "./security/elasticache-encrypted-at-rest";
import { elasticacheEncryptedInTransit } from "./security/elasticache-encrypted-in-transit";
import { elasticacheSnapshots } from "./security/elasticache-snapshots";
import { imdsv2Required } from "./security/imdsv2-required";
import { kmsKeyRotation } from "./security/kms-key-rotation";
import { mqAutoMinorVersionUpgrade } from "./security/mq-auto-minor-version-upgrade";
import { mqEncrypted } from "./security/mq-encrypted";
import { mqLogsEnabled } from "./security/mq-logs-enabled";
import { mqNotPublic } from "./security/mq-not-public";
import { rdsBackupsEnabled } from "./security/rds-backups-enabled";
import { rdsCustomParameterGroup } from "./security/rds-custom-parameter-group";
import { rdsDeletionProtection } from "./security/rds-deletion-protection";
import { rdsNotPublic } from "./security/rds-not-public";
import { rdsParameterGroupRequiresTls } from "./security/rds-parameter-group-requires-tls";
import { rdsStorageEncrypted } from "./security/rds-storage-encrypted";
import { s3Encrypted } from "./security/s3-encrypted";
import { s3PublicAccessBlock } from "./security/s3-public-access-block";
import { s3TlsOnly } from "./security/s3-tls-only";
import { securityGroupNoOpenIngress } from "./security/security-group-no-open-ingress";
import { taskDefinitionLogging } from "./security/task-definition-logging";
import { taskDefinitionNoPlaintextSecrets } from "./security/task-definition-no-plaintext-secrets";
import { taskDefinitionNonRoot } from "./security/task-definition-non-root";
import { taskDefinitionReadOnlyRoot } from "./security/task-definition-read-only-root";

export const policies: readonly PlatformPolicy[] = [
  autoscalingGroupWithinFreeTier,
  cloudwatchAlarmsWithinFreeTier,
  cloudwatchDashboardsWithinFreeTier,
  dynamodbCapacityWithinFreeTier,
  ebsStorageWithinFreeTier,
  ec2InstanceTypeAllowed,
  elasticacheNodeTypeAllowed,
  elasticacheSingleNode,
  logGroupRetentionSet,
  mqInstanceTypeAllowed,
  mqSingleInstance,
  noNatGateway,
  rdsBackupRetentionWithinFreeTier,
  rdsInstanceClassAllowed,
  rdsSingleAz,
  rdsStorageWithinFreeTier,
  singleLoadBalancer,
  albDropInvalidHeaders,
  albHttpsRedirect,
  backupPlanPresent,
  dynamodbDeletionProtection,
  dynamodbEncrypted,
  dynamodbPointInTimeRecovery,
  ebsEncrypted,
  ecrImmutableTags,
  ecrScanOnPush,
  elasticacheAuthToken,
  elasticacheEncryptedAtRest,
  elasticacheEncryptedInTransit,
  elasticacheSnapshots,
  imdsv2Required,
  kmsKeyRotation,
  mqAutoMinorVersionUpgrade,
  mqEncrypted,
  mqLogsEnabled,
  mqNotPublic,
  rdsBackupsEnabled,
  rdsCustomParameterGroup,
  rdsDeletionProtection,
  rdsNotPublic,
  rdsParameterGroupRequiresTls,
  rdsStorageEncrypted,
  s3Encrypted,
  s3PublicAccessBlock,
  s3TlsOnly,
  securityGroupNoOpenIngress,
  taskDefinitionLogging,
  taskDefinitionNoPlaintextSecrets,
  taskDefinitionNonRoot,
  taskDefinitionReadOnlyRoot,
  k8sDropAllCapabilities,
  k8sImageTagPinned,
  k8sNetworkPolicyPresent,
  k8sNoHostNamespaces,
  k8sNoPrivilegeEscalation,
  k8sProbes,
  k8sReadOnlyRootFilesystem,
  k8sResources,
  k8sRunAsNonRoot,
  k8sSeccompRuntimeDefault,
];
