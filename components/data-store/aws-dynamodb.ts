import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { nameTags } from "../shared/tags";
import { transform } from "../shared/transform";
import type { DynamoDbArgs, DynamoDbTables } from "./args";
import { fitToCapacityBudget } from "./capacity";

/** DynamoDB tables: server-side encryption, point-in-time recovery, capacity from config. */
export function createDynamoDb(name: string, args: DynamoDbArgs, parent: pulumi.Resource): DynamoDbTables {
  const billingMode = args.billingMode ?? "PROVISIONED";
  const tables =
    billingMode === "PROVISIONED" ? fitToCapacityBudget(args.tables, args.capacityBudget ?? 0) : args.tables;
  const result: DynamoDbTables = { tables: {} };
  for (const table of tables) {
    const physicalName = `${args.tableNamePrefix ?? ""}${table.name}`;
    const created = new aws.dynamodb.Table(
      ...transform(
        args.transform?.table,
        `${name}-${table.name}`,
        {
          name: physicalName,
          hashKey: table.hashKey,
          attributes: [{ name: table.hashKey, type: "S" }],
          billingMode,
          readCapacity: billingMode === "PROVISIONED" ? table.readCapacity : undefined,
          writeCapacity: billingMode === "PROVISIONED" ? table.writeCapacity : undefined,
          serverSideEncryption: { enabled: true },
          pointInTimeRecovery: { enabled: true },
          ttl: table.ttlAttribute ? { attributeName: table.ttlAttribute, enabled: true } : undefined,
          deletionProtectionEnabled: args.deletionProtection ?? false,
          tags: nameTags(physicalName, args.tags),
        },
        { parent },
      ),
    );
    result.tables[table.name] = { name: created.name, arn: created.arn };
  }
  return result;
}
