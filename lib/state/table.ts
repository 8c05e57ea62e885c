import { hash } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoStateSettings } from './dynamodb';
import { classifyStateError, StateStoreError } from './errors';

/**
 * A dead state endpoint must fail in seconds, not after the SDK's minutes of retries: Lambda's
 * time goes to delivering alerts, and the CLI should say what is wrong at once.
 */
export const STATE_CONNECT_TIMEOUT_MS = 2_000;
export const STATE_REQUEST_TIMEOUT_MS = 5_000;
export const STATE_MAX_ATTEMPTS = 3;

type DynamoSdk = typeof import('@aws-sdk/client-dynamodb');

/**
 * The longest partition key written as it reads: DynamoDB refuses a partition key over 2,048 bytes
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html#limits-partition-sort-keys),
 * and keys carry record values (a dedup key holds the principal's ARN, a window key its group's
 * values), which a hostile or broken record can make as long as it likes. Refused, such a write
 * failed as a state table outage, and stopped every invocation holding that record.
 */
const MAX_PLAIN_KEY_BYTES = 1_024;

/**
 * The item key for `prefix` and a logical key: the two joined, or, past MAX_PLAIN_KEY_BYTES, the
 * prefix and a SHA-256 of the key (distinct keys stay distinct; short keys keep their old items).
 */
export function partitionKey(prefix: string, key: string): string {
  const plain = `${prefix}${key}`;
  if (Buffer.byteLength(plain) <= MAX_PLAIN_KEY_BYTES) return plain;
  return `${prefix}${textDigest(key)}`;
}

/**
 * What stands for a text too long to store as it is: `sha256:` and its SHA-256 in base64url. Equal
 * texts give equal digests, distinct ones distinct (partition keys here, counted correlation values).
 */
export function textDigest(text: string): string {
  return `sha256:${hash('sha256', text, 'base64url')}`;
}

/**
 * The connection to the state table every store of it shares (dedup, deliveries, sessions): the
 * SDK loaded on first use, not at cold start; short timeouts; every failure but a refused
 * condition turned into one `StateStoreError` naming the table, endpoint and region.
 */
export class StateTable {
  private connection: Promise<{ client: DynamoDBClient; sdk: DynamoSdk }> | undefined;

  constructor(readonly settings: DynamoStateSettings) {}

  get name(): string {
    return this.settings.table;
  }

  connect(): Promise<{ client: DynamoDBClient; sdk: DynamoSdk }> {
    this.connection ??= import('@aws-sdk/client-dynamodb').then((sdk) => ({
      sdk,
      client:
        this.settings.client ??
        new sdk.DynamoDBClient({
          maxAttempts: STATE_MAX_ATTEMPTS,
          requestHandler: {
            connectionTimeout: STATE_CONNECT_TIMEOUT_MS,
            requestTimeout: STATE_REQUEST_TIMEOUT_MS,
          },
          ...(this.settings.region === undefined ? {} : { region: this.settings.region }),
          ...(this.settings.endpoint === undefined ? {} : { endpoint: this.settings.endpoint }),
        }),
    }));
    return this.connection;
  }

  /** Runs one request; a refused condition is rethrown as it is, any other failure as a `StateStoreError`. */
  async call<T>(request: (client: DynamoDBClient) => Promise<T>): Promise<T> {
    const { client } = await this.connect();
    try {
      return await request(client);
    } catch (error) {
      if (isConditionalCheckFailure(error)) throw error;
      const { problem, detail } = classifyStateError(error);
      const region = await this.region(client);
      throw new StateStoreError(this.settings.table, this.endpointFor(region), region, problem, detail);
    }
  }

  private async region(client: DynamoDBClient): Promise<string> {
    if (this.settings.region !== undefined) return this.settings.region;
    try {
      return await client.config.region();
    } catch {
      return 'not set';
    }
  }

  /** The endpoint as the SDK picks it: the setting, the environment, else the regional one. */
  private endpointFor(region: string): string {
    return (
      this.settings.endpoint ??
      process.env.AWS_ENDPOINT_URL_DYNAMODB ??
      process.env.AWS_ENDPOINT_URL ??
      `https://dynamodb.${region}.amazonaws.com`
    );
  }
}

export function isConditionalCheckFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}
