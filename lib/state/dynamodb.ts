import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoThreads } from './dynamodb-threads';
import { isConditionalCheckFailure, partitionKey, StateTable } from './table';
import type {
  ClaimDecision,
  DedupDecision,
  DeliveryClaim,
  Sighting,
  SightingDecision,
  StateStore,
  ThreadParent,
  ThreadParentWrite,
  ThreadRepeat,
  WindowEntry,
  WindowKeeping,
} from './types';
import { DELIVERY_RECORD_TTL_MS, pruneWindow } from './types';

export interface DynamoStateSettings {
  readonly table: string;
  readonly region?: string;
  readonly endpoint?: string;
  readonly client?: DynamoDBClient;
}

/** The attribute the table's TTL is set on (epoch seconds): DynamoDB deletes expired state itself. */
export const TTL_ATTRIBUTE = 'expiresAt';
/**
 * The most a correlation window's entries may take, as JSON, in its item: DynamoDB refuses an item
 * over 400 KB (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html#limits-items),
 * and the key, version and expiry need some of it. About 5,000 events at ~70 bytes each.
 */
const MAX_WINDOW_JSON_BYTES = 380_000;
/** Optimistic updates of a correlation window retry this many times under contention. */
const WINDOW_UPDATE_ATTEMPTS = 5;
/** A claim refused because another was released in between is tried again this many times. */
const CLAIM_ATTEMPTS = 3;

const seconds = (ms: number): string => String(Math.ceil(ms / 1000));

/**
 * State in one DynamoDB table (partition key `pk`, TTL on `expiresAt`), shared by every Lambda
 * invocation. Each decision is a single conditional write, so concurrent invocations agree.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ConditionExpressions.html
 */
export class DynamoStateStore implements StateStore {
  private readonly table: string;
  private readonly connection: StateTable;
  private readonly threads: DynamoThreads;

  constructor(settings: DynamoStateSettings) {
    this.table = settings.table;
    this.connection = new StateTable(settings);
    this.threads = new DynamoThreads(this.connection);
  }

  private connect() {
    return this.connection.connect();
  }

  private call<T>(request: (client: DynamoDBClient) => Promise<T>): Promise<T> {
    return this.connection.call(request);
  }

  async dedup(key: string, alertId: string, windowMs: number, now: number): Promise<DedupDecision> {
    const { sdk } = await this.connect();
    const pk = partitionKey('dedup#', key);
    try {
      // Opens a window where none is open; the old item, if an expired one was replaced, carries its count.
      const opened = await this.call((client) =>
        client.send(
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
        ),
      );
      return { notify: true, suppressedBefore: Number(opened.Attributes?.suppressed?.N ?? 0) };
    } catch (error) {
      if (!isConditionalCheckFailure(error)) throw error;
    }
    try {
      const counted = await this.call((client) =>
        client.send(
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
        ),
      );
      return { notify: false, suppressedSoFar: Number(counted.Attributes?.suppressed?.N ?? 1) };
    } catch (error) {
      // The same alert id: a retry of the alert that opened the window, which must still go out.
      if (isConditionalCheckFailure(error)) return { notify: true, suppressedBefore: 0 };
      throw error;
    }
  }

  async appendToWindow(
    key: string,
    entry: WindowEntry,
    timespanMs: number,
    keep?: WindowKeeping,
  ): Promise<WindowEntry[]> {
    const { sdk } = await this.connect();
    const pk = partitionKey('window#', key);
    for (let attempt = 1; ; attempt++) {
      const current = await this.call((client) =>
        client.send(
          new sdk.GetItemCommand({ TableName: this.table, Key: { pk: { S: pk } }, ConsistentRead: true }),
        ),
      );
      const version = Number(current.Item?.version?.N ?? 0);
      const stored = current.Item?.entries?.S ? (JSON.parse(current.Item.entries.S) as WindowEntry[]) : [];
      const { kept, json } = withinItem(pruneWindow([...stored, entry], timespanMs, keep));
      const newest = kept[kept.length - 1]?.t ?? entry.t;
      try {
        await this.call((client) =>
          client.send(
            new sdk.PutItemCommand({
              TableName: this.table,
              Item: {
                pk: { S: pk },
                entries: { S: json },
                version: { N: String(version + 1) },
                [TTL_ATTRIBUTE]: { N: seconds(newest + timespanMs + 86_400_000) },
              },
              ConditionExpression: version === 0 ? 'attribute_not_exists(pk)' : 'version = :version',
              ...(version === 0 ? {} : { ExpressionAttributeValues: { ':version': { N: String(version) } } }),
            }),
          ),
        );
        return kept;
      } catch (error) {
        if (!isConditionalCheckFailure(error) || attempt >= WINDOW_UPDATE_ATTEMPTS) throw error;
      }
    }
  }

  async resetWindow(key: string): Promise<void> {
    const { sdk } = await this.connect();
    await this.call((client) =>
      client.send(
        new sdk.DeleteItemCommand({
          TableName: this.table,
          Key: { pk: { S: partitionKey('window#', key) } },
        }),
      ),
    );
  }

  async claimDelivery(alertId: string, destination: string, claim: DeliveryClaim): Promise<ClaimDecision> {
    const { sdk } = await this.connect();
    const key = deliveryKey(alertId, destination);
    for (let attempt = 1; ; attempt++) {
      try {
        // One conditional write decides among concurrent claimants: not delivered, no live lease,
        // sends left. The send count goes up with the claim, so a claimant that dies mid-send counts.
        const claimed = await this.call((client) =>
          client.send(
            new sdk.UpdateItemCommand({
              TableName: this.table,
              Key: key,
              UpdateExpression:
                'SET #owner = :owner, #leaseUntil = :leaseUntil, #sends = if_not_exists(#sends, :zero) + :one, #ttl = :ttl',
              ConditionExpression:
                'attribute_not_exists(#deliveredAt) AND (attribute_not_exists(#leaseUntil) OR #leaseUntil <= :now) AND (attribute_not_exists(#sends) OR #sends < :max)',
              ExpressionAttributeNames: DELIVERY_NAMES,
              ExpressionAttributeValues: {
                ':owner': { S: claim.owner },
                ':leaseUntil': { N: String(claim.now + claim.leaseMs) },
                ':now': { N: String(claim.now) },
                ':max': { N: String(claim.maxSends) },
                ':zero': { N: '0' },
                ':one': { N: '1' },
                ':ttl': { N: seconds(claim.now + DELIVERY_RECORD_TTL_MS) },
              },
              ReturnValues: 'ALL_NEW',
            }),
          ),
        );
        return { kind: 'claimed', send: Number(claimed.Attributes?.sends?.N ?? 1) };
      } catch (error) {
        if (!isConditionalCheckFailure(error)) throw error;
      }
      // Refused: read why. A claim released between the write and this read is tried again.
      const found = await this.call((client) =>
        client.send(new sdk.GetItemCommand({ TableName: this.table, Key: key, ConsistentRead: true })),
      );
      const item = found.Item ?? {};
      if (item.deliveredAt !== undefined) return { kind: 'already-sent' };
      const leaseUntil = Number(item.leaseUntil?.N ?? Number.NaN);
      if (leaseUntil > claim.now || attempt >= CLAIM_ATTEMPTS)
        return { kind: 'held', leaseUntil: Number.isNaN(leaseUntil) ? claim.now : leaseUntil };
      const sends = Number(item.sends?.N ?? 0);
      if (sends >= claim.maxSends) return { kind: 'sends-exhausted', sends };
    }
  }

  async releaseClaim(alertId: string, destination: string, owner: string): Promise<void> {
    const { sdk } = await this.connect();
    try {
      await this.call((client) =>
        client.send(
          new sdk.UpdateItemCommand({
            TableName: this.table,
            Key: deliveryKey(alertId, destination),
            UpdateExpression: 'SET #sends = #sends - :one REMOVE #owner, #leaseUntil',
            ConditionExpression: '#owner = :owner AND attribute_not_exists(#deliveredAt)',
            ExpressionAttributeNames: {
              '#sends': 'sends',
              '#owner': 'owner',
              '#leaseUntil': 'leaseUntil',
              '#deliveredAt': 'deliveredAt',
            },
            ExpressionAttributeValues: { ':owner': { S: owner }, ':one': { N: '1' } },
          }),
        ),
      );
    } catch (error) {
      // Someone took the claim over after our lease ran out, or it was delivered: theirs now.
      if (!isConditionalCheckFailure(error)) throw error;
    }
  }

  async wasDelivered(alertId: string, destination: string): Promise<boolean> {
    const { sdk } = await this.connect();
    const found = await this.call((client) =>
      client.send(
        new sdk.GetItemCommand({
          TableName: this.table,
          Key: deliveryKey(alertId, destination),
          ConsistentRead: true,
        }),
      ),
    );
    return found.Item?.deliveredAt !== undefined;
  }

  async markDelivered(alertId: string, destination: string, now: number): Promise<void> {
    const { sdk } = await this.connect();
    await this.call((client) =>
      client.send(
        new sdk.UpdateItemCommand({
          TableName: this.table,
          Key: deliveryKey(alertId, destination),
          UpdateExpression: 'SET #deliveredAt = :now, #ttl = :ttl REMOVE #owner, #leaseUntil',
          ExpressionAttributeNames: {
            '#deliveredAt': 'deliveredAt',
            '#ttl': TTL_ATTRIBUTE,
            '#owner': 'owner',
            '#leaseUntil': 'leaseUntil',
          },
          ExpressionAttributeValues: {
            ':now': { N: String(now) },
            ':ttl': { N: seconds(now + DELIVERY_RECORD_TTL_MS) },
          },
        }),
      ),
    );
  }

  async sighting(key: string, sighting: Sighting, forgetMs: number): Promise<SightingDecision> {
    const { sdk } = await this.connect();
    // DynamoDB deletes on the wall clock; forgetting is judged on event time, so a baseline built
    // from old history stays until it would have been forgotten from now on.
    const expiresAt = { N: seconds(Math.max(Date.now(), sighting.t) + forgetMs) };
    const t = { N: String(sighting.t) };
    try {
      await this.call((client) =>
        client.send(
          new sdk.PutItemCommand({
            TableName: this.table,
            Item: {
              ...sightingKey(key),
              eventID: { S: sighting.eventID },
              firstAt: t,
              lastSeen: t,
              [TTL_ATTRIBUTE]: expiresAt,
            },
            ConditionExpression: 'attribute_not_exists(pk) OR eventID = :id OR lastSeen < :stale',
            ExpressionAttributeValues: {
              ':id': { S: sighting.eventID },
              ':stale': { N: String(sighting.t - forgetMs) },
            },
          }),
        ),
      );
      return { first: true, firstAt: sighting.t };
    } catch (error) {
      if (!isConditionalCheckFailure(error)) throw error;
    }
    try {
      const updated = await this.call((client) =>
        client.send(
          new sdk.UpdateItemCommand({
            TableName: this.table,
            Key: sightingKey(key),
            UpdateExpression: 'SET lastSeen = :t, #ttl = :ttl',
            ConditionExpression: 'lastSeen <= :t',
            ExpressionAttributeNames: { '#ttl': TTL_ATTRIBUTE },
            ExpressionAttributeValues: { ':t': t, ':ttl': expiresAt },
            ReturnValues: 'ALL_NEW',
          }),
        ),
      );
      return { first: false, firstAt: Number(updated.Attributes?.firstAt?.N ?? sighting.t) };
    } catch (error) {
      if (!isConditionalCheckFailure(error)) throw error;
    }
    // An older event than the last one seen: nothing to move forward, only read when it began.
    const found = await this.call((client) =>
      client.send(
        new sdk.GetItemCommand({ TableName: this.table, Key: sightingKey(key), ConsistentRead: true }),
      ),
    );
    return { first: false, firstAt: Number(found.Item?.firstAt?.N ?? sighting.t) };
  }

  saveThreadParent(key: string, parent: ThreadParentWrite): Promise<ThreadParent> {
    return this.threads.save(key, parent);
  }

  threadRepeat(key: string, count: number, now: number): Promise<ThreadRepeat | undefined> {
    return this.threads.repeat(key, count, now);
  }
}

/** A first-seen key's item; `seen#` keeps it apart from dedup, windows, deliveries and sessions. */
function sightingKey(key: string): Record<string, { S: string }> {
  return { pk: { S: partitionKey('seen#', key) } };
}

/** The item of one (alert, destination) pair; the `delivered#` prefix predates claims and is kept. */
function deliveryKey(alertId: string, destination: string): Record<string, { S: string }> {
  return { pk: { S: partitionKey('delivered#', `${alertId}#${destination}`) } };
}

const DELIVERY_NAMES = {
  '#owner': 'owner',
  '#leaseUntil': 'leaseUntil',
  '#sends': 'sends',
  '#ttl': TTL_ATTRIBUTE,
  '#deliveredAt': 'deliveredAt',
} as const;

/**
 * A window's entries as they fit one item: past MAX_WINDOW_JSON_BYTES the oldest are dropped (they
 * leave the window first anyway). An item too large would make every later write of the window
 * fail, and with it each invocation holding one of its events; a window that only a count past
 * its capacity would fire undercounts instead (README, "Correlation rules").
 */
function withinItem(entries: WindowEntry[]): { kept: WindowEntry[]; json: string } {
  let kept = entries;
  let json = JSON.stringify(kept);
  let bytes = Buffer.byteLength(json);
  while (bytes > MAX_WINDOW_JSON_BYTES && kept.length > 1) {
    // Drop about as many as the excess holds, at least one, and measure again.
    const drop = Math.max(1, Math.ceil(((bytes - MAX_WINDOW_JSON_BYTES) / bytes) * kept.length));
    kept = kept.slice(Math.min(drop, kept.length - 1));
    json = JSON.stringify(kept);
    bytes = Buffer.byteLength(json);
  }
  return { kept, json };
}
