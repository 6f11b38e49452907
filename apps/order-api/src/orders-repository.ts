import { DescribeTableCommand } from "@aws-sdk/client-dynamodb";
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";

/** An order as stored in the orders table (hash key `order_id`) and as answered to clients. */
export interface Order {
  order_id: string;
  product_id: string;
  quantity: number;
  customer_id: string;
  status: string;
  total_price: number;
  processed_at: string;
  created_at: string;
}

export class OrdersRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    readonly table: string,
  ) {}

  /** Stores a new order; the condition makes a duplicate id an error instead of an overwrite. */
  async create(order: Order): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.table,
        Item: order,
        ConditionExpression: "attribute_not_exists(order_id)",
      }),
    );
  }

  /** `consistent` reads see every write that succeeded before, at twice the read cost. */
  async find(orderId: string, consistent = false): Promise<Order | undefined> {
    const result = await this.db.send(
      new GetCommand({ TableName: this.table, Key: { order_id: orderId }, ConsistentRead: consistent }),
    );
    return result.Item as Order | undefined;
  }

  /** Throws when the table cannot be reached. */
  async ping(): Promise<void> {
    await this.db.send(new DescribeTableCommand({ TableName: this.table }));
  }
}
