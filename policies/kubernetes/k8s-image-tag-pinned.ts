import { type ResourcePolicy, violations } from "../policy";
import { compliantContainer, compliantPod, containersOf, deployment, WORKLOAD_TYPES } from "./workloads";

/** True when the image reference names a tag other than `latest`, or a digest. */
export function isPinned(image: string | undefined): boolean {
  if (!image) return false;
  if (image.includes("@sha256:")) return true;
  const lastSegment = image.slice(image.lastIndexOf("/") + 1);
  const tag = lastSegment.includes(":") ? lastSegment.slice(lastSegment.indexOf(":") + 1) : "";
  return tag !== "" && tag !== "latest";
}

export const k8sImageTagPinned: ResourcePolicy = {
  kind: "resource",
  name: "k8s-image-tag-pinned",
  group: "security",
  control: "Checkov CKV_K8S_14 (image tag not latest or blank); Polaris tagNotSpecified",
  description: "Every image names a version tag or a digest, never `latest` or nothing.",
  types: WORKLOAD_TYPES,
  check: (props, r) =>
    violations(
      ...containersOf(r.type, props).map((c): [boolean, string] => [
        !isPinned(c.image),
        `container ${c.name} image ${c.image} is not pinned`,
      ]),
    ),
  examples: {
    violating: [
      deployment({ ...compliantContainer, image: "app:latest" }, compliantPod),
      deployment({ ...compliantContainer, image: "registry:5000/app" }, compliantPod),
    ],
    compliant: [
      deployment(compliantContainer, compliantPod),
      deployment({ ...compliantContainer, image: "registry:5000/app@sha256:abc" }, compliantPod),
    ],
  },
};
