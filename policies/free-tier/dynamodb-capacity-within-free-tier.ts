import type { StackPolicy, StackResource } from "../policy";

const TABLE = "aws:dynamodb/table:Table";

function capacity(table: StackResource): { read: number; write: number } {
  const p = table.props;
  const indexes = (p.globalSecondaryIndexes ?? []) as { readCapacity?: number; writeCapacity?: number }[];
  return {
    read: Number(p.readCapacity ?? 0) + indexes.reduce((sum, i) => sum + Number(i.readCapacity ?? 0), 0),
    write: Number(p.writeCapacity ?? 0) + indexes.reduce((sum, i) => sum + Number(i.writeCapacity ?? 0), 0),
  };
}

export const dynamodbCapacityWithinFreeTier: StackPolicy = {
  kind: "stack",
  name: "dynamodb-capacity-within-free-tier",
  group: "free-tier",
  control: "AWS Free Tier (always free): DynamoDB 25 provisioned WCU and 25 provisioned RCU",
  description:
    "All DynamoDB tables together (with their indexes) provision at most the free read and write capacity; on-demand tables are not covered.",
  defaults: { maxReadCapacity: 25, maxWriteCapacity: 25 },
  check: (resources, s) => {
    const tables = resources.filter((r) => r.type === TABLE);
    const found: { resource?: StackResource; message: string }[] = [];
    for (const t of tables) {
      if (t.props.billingMode === "PAY_PER_REQUEST")
        found.push({
          resource: t,
          message: "on-demand capacity is billed per request, outside the free provisioned capacity",
        });
    }
    const total = tables
      .map(capacity)
      .reduce((a, b) => ({ read: a.read + b.read, write: a.write + b.write }), { read: 0, write: 0 });
    if (total.read > (s.maxReadCapacity as number))
      found.push({ message: `tables provision ${total.read} RCU in total, over ${s.maxReadCapacity}` });
    if (total.write > (s.maxWriteCapacity as number))
      found.push({ message: `tables provision ${total.write} WCU in total, over ${s.maxWriteCapacity}` });
    return found;
  },
  examples: {
    violating: [
      [
        { type: TABLE, name: "a", props: { billingMode: "PROVISIONED", readCapacity: 20, writeCapacity: 5 } },
        { type: TABLE, name: "b", props: { billingMode: "PROVISIONED", readCapacity: 10, writeCapacity: 5 } },
      ],
      [{ type: TABLE, name: "c", props: { billingMode: "PAY_PER_REQUEST" } }],
    ],
    compliant: [
      [
        { type: TABLE, name: "a", props: { billingMode: "PROVISIONED", readCapacity: 5, writeCapacity: 5 } },
        { type: TABLE, name: "b", props: { billingMode: "PROVISIONED", readCapacity: 5, writeCapacity: 5 } },
      ],
    ],
  },
};
