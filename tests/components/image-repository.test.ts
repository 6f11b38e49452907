import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AwsImageRepository, contentTag } from "../../components/image-repository";
import { ofType, runUnderMocks, Secret, single } from "../harness/pulumi-mocks";

describe("ImageRepository (aws)", () => {
  it("scan on push, immutable tags, expiry, and an image built from the app's Dockerfile, pinned by digest", async () => {
    const { resources, outputs } = await runUnderMocks(() => {
      const repo = new AwsImageRepository("todo", {
        repositoryName: "battle-ready/dev/todo",
        build: { context: ".", dockerfile: "apps/todo/Dockerfile", tag: "0123abcd" },
      });
      return { image: repo.imageRef };
    });
    const repo = single(resources, "aws:ecr/repository:Repository").inputs;
    assert.equal(repo.imageTagMutability, "IMMUTABLE");
    assert.deepEqual(repo.imageScanningConfiguration, { scanOnPush: true });
    single(resources, "aws:ecr/lifecyclePolicy:LifecyclePolicy");
    const image = single(resources, "docker:index/image:Image").inputs;
    assert.deepEqual(image.build, {
      context: ".",
      dockerfile: "apps/todo/Dockerfile",
      platform: "linux/amd64",
    });
    assert.match(String(image.imageName), /dkr\.ecr\.eu-west-1\.amazonaws\.com\/todo-repo:0123abcd$/);
    // The password is a secret output, so the engine marks the registry block secret.
    assert.ok(image.registry instanceof Secret, "the registry credentials are secret");
    assert.match(String(outputs.image), /@sha256:0{64}$/);
  });

  it("a prebuilt tag builds nothing", async () => {
    const { resources, outputs } = await runUnderMocks(() => {
      const repo = new AwsImageRepository("todo", {
        repositoryName: "battle-ready/todo",
        prebuiltTag: "git-1a2b3c",
      });
      return { image: repo.imageRef };
    });
    assert.equal(ofType(resources, "docker:index/image:Image").length, 0);
    assert.equal(outputs.image, "123456789012.dkr.ecr.eu-west-1.amazonaws.com/todo-repo:git-1a2b3c");
  });

  it("rejects both or neither source, and the latest tag", () => {
    assert.throws(() => new AwsImageRepository("x", { repositoryName: "x" }), /exactly one/);
    assert.throws(
      () => new AwsImageRepository("x", { repositoryName: "x", prebuiltTag: "latest" }),
      /latest/,
    );
  });

  it("tags by content: the same files the same tag, any change a new one", () => {
    const root = mkdtempSync(join(tmpdir(), "content-tag-"));
    try {
      mkdirSync(join(root, "app"));
      writeFileSync(join(root, "app", "main.ts"), "console.log(1)");
      const first = contentTag(root, ["app", "lock.json"]);
      assert.match(first, /^[0-9a-f]{16}$/);
      assert.equal(contentTag(root, ["lock.json", "app"]), first);
      writeFileSync(join(root, "app", "main.ts"), "console.log(2)");
      assert.notEqual(contentTag(root, ["app", "lock.json"]), first);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
