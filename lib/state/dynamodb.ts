import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DedupDecision, StateStore, WindowEntry } from './types';
import { DELIVERY_RECORD_TTL_MS, pruneWindow } from './types';

export interface DynamoStateSettings {
  readonly table: string;
  readonly region?: string;
  readonly endpoint?: string;
  readonly client?: DynamoDBClient;
}

/** The attribute the table's TTL is set on (epoch seconds): DynamoDB deletes expired state itself. */
export const TTL_ATTRIBUTE = 'expiresAt';
/** Optimistic updates of a correlation window retry this many times under contention. */
const WINDOW_UPDATE_ATTEMPTS = 5;

const seconds = (ms: number): string => String(Math.ceil(ms / 1000));

/**
 * State in one DynamoDB table (partition key `pk`, TTL on `expiresAt`), shared by every Lambda
 * invocation. Each decision is a single conditional write, so concurrent invocations agree.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ConditionExpressions.html
 */
export class DynamoStateStore implements StateStore {
  private readonly table: string;
  /** The SDK and client are loaded on first use, not at cold start. */
  private connection:
    | Promise<{ client: DynamoDBClient; sdk: typeof import('@aws-sdk/client-dynamodb') }>
    | undefined;

  constructor(private readonly settings: DynamoStateSettings) {
    this.table = settings.table;
  }

  private connect(): Promise<{ client: DynamoDBClient; sdk: typeof import('@aws-sdk/client-dynamodb') }> {
    this.connection ??= import('@aws-sdk/client-dynamodb').then((sdk) => ({
      sdk,
      client:
        this.settings.client ??
        new sdk.DynamoDBClient({
          ...(this.settings.region === undefined ? {} : { region: this.settings.region }),
          ...(this.settings.endpoint === undefined ? {} : { endpoint: this.settings.endpoint }),
        }),
    }));
    return this.connection;
  }

  async dedup(key: string, alertId: string, windowMs: number, now: number): Promise<DedupDecision> {
    const { client, sdk } = await this.connect();
    const pk = `dedup#${key}`;
    try {
      // Opens a window where none is open; the old item, if an expired one was replaced, carries its count.
      const opened = await client.send(
        new sdk.PutItemCommand({
          TableName: this.table,
          Item: {
            pk: { S: pk },
            alertId: { S: alertId },
            windowEnd: { N: String(now + windowMs) },
            suppressed: { N: '0' },
            [TTL_ATTRIBUTE]: { N: seconds(now + windowMs) },
          },
          ConditionExpression: 'attribute_not_exists(pk) OR windowEnd <= :now',
          ExpressionAttributeValues: { ':now': { N: String(now) } },
          ReturnValues: 'ALL_OLD',
        }),
      );
      return { notify: true, suppressedBefore: Number(opened.Attributes?.suppressed?.N ?? 0) };
    } catch (error) {
      if (!isConditionalCheckFailure(error)) throw error;
    }
    try {
      const counted = await client.send(
        new sdk.UpdateItemCommand({
          TableName: this.table,
          Key: { pk: { S: pk } },
          UpdateExpression: 'ADD suppressed :one',
          ConditionExpression: 'alertId <> :id AND windowEnd > :now',
          ExpressionAttributeValues: {
            ':one': { N: '1' },
            ':id': { S: alertId },
            ':now': { N: String(now) },
          },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      return { notify: false, suppressedSoFar: Number(counted.Attributes?.suppressed?.N ?? 1) };
    } catch (error) {
      // The same alert id: a retry of the alert that opened the window, which must still go out.
      if (isConditionalCheckFailure(error)) return { notify: true, suppressedBefore: 0 };
      throw error;
    }
  }

  async appendToWindow(key: string, entry: WindowEntry, timespanMs: number): Promise<WindowEntry[]> {
    const { client, sdk } = await this.connect();
    const pk = `window#${key}`;
    for (let attempt = 1; ; attempt++) {
      const current = await client.send(
        new sdk.GetItemCommand({ TableName: this.table, Key: { pk: { S: pk } }, ConsistentRead: true }),
      );
      const version = Number(current.Item?.version?.N ?? 0);
      const stored = current.Item?.entries?.S ? (JSON.parse(current.Item.entries.S) as WindowEntry[]) : [];
      const kept = pruneWindow([...stored, entry], timespanMs);
      const newest = kept[kept.length - 1]?.t ?? entry.t;
      try {
        await client.send(
          new sdk.PutItemCommand({
            TableName: this.table,
            Item: {
              pk: { S: pk },
              entries: { S: JSON.stringify(kept) },
              version: { N: String(version + 1) },
              [TTL_ATTRIBUTE]: { N: seconds(newest + timespanMs + 86_400_000) },
            },
            ConditionExpression: version === 0 ? 'attribute_not_exists(pk)' : 'version = :version',
            ...(version === 0 ? {} : { ExpressionAttributeValues: { ':version': { N: String(version) } } }),
          }),
        );
        return kept;
      } catch (error) {
        if (!isConditionalCheckFailure(error) || attempt >= WINDOW_UPDATE_ATTEMPTS) throw error;
      }
    }
  }

  async resetWindow(key: string): Promise<void> {
    const { client, sdk } = await this.connect();
    await client.send(
      new sdk.DeleteItemCommand({ TableName: this.table, Key: { pk: { S: `window#${key}` } } }),
    );
  }

  async wasDelivered(alertId: string, destination: string): Promise<boolean> {
    const { client, sdk } = await this.connect();
    const found = await client.send(
      new sdk.GetItemCommand({
        TableName: this.table,
        Key: { pk: { S: `delivered#${alertId}#${destination}` } },
        ConsistentRead: true,
      }),
    );
    return found.Item !== undefined;
  }

  async markDelivered(alertId: string, destination: string, now: number): Promise<void> {
    const { client, sdk } = await this.connect();
    await client.send(
      new sdk.PutItemCommand({
        TableName: this.table,
        Item: {
          pk: { S: `delivered#${alertId}#${destination}` },
          deliveredAt: { N: String(now) },
          [TTL_ATTRIBUTE]: { N: seconds(now + DELIVERY_RECORD_TTL_MS) },
        },
      }),
    );
  }
}

function isConditionalCheckFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}
