import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoStateSettings } from '../state';
import { isConditionalCheckFailure, partitionKey, StateTable, TTL_ATTRIBUTE } from '../state';
import { asFields } from './read';
import type { SessionRecord, SessionStore } from './store';
import { sessionWeight } from './store';

/** Items of this store share the state table with dedup, windows and deliveries under this prefix. */
export const SESSION_KEY_PREFIX = 'session#';

/**
 * A session nobody has started yet may be started by a concurrent invocation: a miss (or a session
 * whose person is not known yet) is trusted this long before the table is asked again.
 */
export const SESSION_MISS_CACHE_MS = 30_000;
/** Local copies kept per process; past this, the copies are dropped and the table asked again. */
const CACHE_ENTRIES = 50_000;
/**
 * A session larger than this is kept in this process only. Real ones take a kilobyte or two (AWS
 * caps session names at 64 characters, ARNs at 2,048); one made of a hostile record's values could
 * pass DynamoDB's 400 KB item (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html#limits-items),
 * and the refused write would stop the invocation as a state table failure.
 */
const MAX_STORED_SESSION_BYTES = 64 * 1024;

interface Cached {
  readonly record: SessionRecord | undefined;
  /** Wall-clock ms until which the copy is trusted; Infinity for a session naming its person (it never changes). */
  readonly until: number;
}

/**
 * Sessions in the DynamoDB state table (partition key `pk`, TTL on `expiresAt` in epoch seconds), so
 * an AssumeRole seen by one Lambda invocation attributes calls arriving in later ones. Every record is
 * resolved, so reads go through a per-process cache: a session naming its person never changes.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/TTL.html
 */
export class DynamoSessionStore implements SessionStore {
  private readonly table: StateTable;
  private readonly cache = new Map<string, Cached>();

  constructor(
    private readonly settings: DynamoStateSettings,
    private readonly now: () => number = Date.now,
  ) {
    this.table = new StateTable(settings);
  }

  private connect() {
    return this.table.connect();
  }

  private call<T>(request: (client: DynamoDBClient) => Promise<T>): Promise<T> {
    return this.table.call(request);
  }

  async get(key: string): Promise<SessionRecord | undefined> {
    const cached = this.cache.get(key);
    if (cached !== undefined && cached.until > this.now()) return cached.record;
    const { sdk } = await this.connect();
    const found = await this.call((client) =>
      client.send(
        new sdk.GetItemCommand({
          TableName: this.settings.table,
          Key: { pk: { S: partitionKey(SESSION_KEY_PREFIX, key) } },
          ConsistentRead: true,
        }),
      ),
    );
    const record = parseSession(found.Item?.session?.S, key);
    this.remember(key, record);
    return record;
  }

  async put(record: SessionRecord): Promise<void> {
    const session = JSON.stringify(record);
    if (Buffer.byteLength(session) > MAX_STORED_SESSION_BYTES) {
      this.remember(record.key, record);
      return;
    }
    const { sdk } = await this.connect();
    const known = record.person.name !== null;
    try {
      await this.call((client) =>
        client.send(
          new sdk.PutItemCommand({
            TableName: this.settings.table,
            Item: {
              pk: { S: partitionKey(SESSION_KEY_PREFIX, record.key) },
              session: { S: session },
              known: { BOOL: known },
              weight: { N: String(sessionWeight(record)) },
              [TTL_ATTRIBUTE]: { N: String(Math.ceil(record.expiresAt / 1000)) },
            },
            // A session is never replaced by one that tells less (sessionWeight); items written
            // before the weight existed are judged by `known` alone.
            ConditionExpression:
              'attribute_not_exists(pk) OR weight <= :weight OR (attribute_not_exists(weight) AND (known = :false OR :known = :true))',
            ExpressionAttributeValues: {
              ':weight': { N: String(sessionWeight(record)) },
              ':false': { BOOL: false },
              ':true': { BOOL: true },
              ':known': { BOOL: known },
            },
          }),
        ),
      );
      this.remember(record.key, record);
    } catch (error) {
      if (!isConditionalCheckFailure(error)) throw error;
      this.cache.delete(record.key);
    }
  }

  private remember(key: string, record: SessionRecord | undefined): void {
    if (this.cache.size >= CACHE_ENTRIES) this.cache.clear();
    const settled = record !== undefined && record.person.name !== null;
    this.cache.set(key, {
      record,
      until: settled ? Number.POSITIVE_INFINITY : this.now() + SESSION_MISS_CACHE_MS,
    });
  }
}

/** A stored session read back; an item not written by this store (wrong shape, other key) is not one. */
function parseSession(json: string | undefined, key: string): SessionRecord | undefined {
  if (json === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return undefined;
  }
  const fields = asFields(value);
  const person = asFields(fields?.person);
  const proof = asFields(fields?.proof);
  if (
    fields === undefined ||
    person === undefined ||
    proof === undefined ||
    fields.key !== key ||
    typeof fields.expiresAt !== 'number' ||
    typeof fields.session !== 'string' ||
    !Array.isArray(fields.via) ||
    !fields.via.every((arn) => typeof arn === 'string') ||
    (person.name !== null && typeof person.name !== 'string') ||
    typeof proof.kind !== 'string' ||
    typeof proof.detail !== 'string'
  ) {
    return undefined;
  }
  // Shape checked above for every field attribution reads; this store is its only writer.
  return value as SessionRecord;
}
