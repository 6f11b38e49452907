import assert from "node:assert/strict";
import { ENDPOINT_SERVICES } from "../../platform/aws/provider";
import { realizations, realize } from "../../platform/realizations";
import { ofType, single } from "../harness/pulumi-mocks";
import { runStack } from "./stack-run";

describe("AWS realization options", () => {
  it("points every AWS service at LocalStack when awsEndpoint is set", async () => {
    const { resources } = await runStack("dev", {
      "battle-ready:imageTag": "ci-1",
      "battle-ready:awsEndpoint": "http://localhost:4566",
    });
    const provider = single(resources, "pulumi:providers:aws");
    const endpoints = JSON.parse(String(provider.inputs.endpoints)) as Record<string, string>[];
    for (const service of ENDPOINT_SERVICES)
      assert.equal(endpoints[0]?.[service], "http://localhost:4566", service);
    assert.equal(provider.inputs.skipCredentialsValidation, "true");
    assert.ok(
      ofType(resources, "aws:ecs/service:Service").length > 0 ||
        ofType(resources, "aws:ecs/cluster:Cluster").length === 1,
    );
  });

  it("without awsEndpoint uses the default provider (real AWS)", async () => {
    const { resources } = await runStack("dev", { "battle-ready:imageTag": "ci-1" });
    assert.equal(ofType(resources, "pulumi:providers:aws").length, 0);
  });

  it("switches realizations by name, with a clear error for one not registered", () => {
    assert.equal(realizations.aws?.name, "deployAws");
    assert.throws(
      () => realize("nomad" as "aws", {} as Parameters<typeof realize>[1]),
      /config battle-ready:realization: nomad is not available \(available: aws/,
    );
  });
});
