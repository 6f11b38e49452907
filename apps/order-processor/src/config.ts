import { type EnvReader, readEnv } from "../../../lib/service-kit";

export interface ProcessorConfig {
  /** DynamoDB-compatible endpoint; undefined means real AWS (region and credentials from the SDK chain). */
  dynamodbEndpoint?: string;
  /** The inventory table, hash key `product_id`. */
  table: string;
  /** Port to listen on; undefined lets the kit read PORT (0 = a free port). */
  port?: number;
  /** undefined lets the kit read LOG_LEVEL. */
  logLevel?: string;
}

export function readProcessorConfig(env: EnvReader = readEnv()): ProcessorConfig {
  return {
    dynamodbEndpoint: env.optional("DYNAMODB_ENDPOINT"),
    table: env.string("DYNAMODB_TABLE", "inventory"),
  };
}
