import type { StackResource } from "../policy";

export const BUCKET_TYPES = new Set(["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"]);

/** The buckets of a stack, and whether each one is the target of a companion resource of `type`. */
export function bucketsWithout(
  resources: StackResource[],
  type: string,
  accepts: (companion: StackResource) => boolean = () => true,
): StackResource[] {
  const buckets = resources.filter((r) => BUCKET_TYPES.has(r.type));
  const covered = new Set(
    resources.filter((r) => r.type === type && accepts(r)).map((r) => String(r.props.bucket)),
  );
  return buckets.filter(
    (b) =>
      !covered.has(String(b.props.bucket ?? b.name)) && !covered.has(`${b.name}-id`) && !covered.has(b.name),
  );
}

export const bucket = (name: string): StackResource => ({
  type: "aws:s3/bucketV2:BucketV2",
  name,
  urn: `urn:${name}`,
  props: { bucket: name },
});
