import { TTL_ATTRIBUTE } from './dynamodb';
import type { StateTable } from './table';
import { isConditionalCheckFailure, partitionKey } from './table';
import type { ThreadParent, ThreadParentWrite, ThreadRepeat } from './types';

/**
 * Thread parents in the state table, one item per key (`thread#<key>`), each decision a single
 * conditional write so that concurrent invocations agree on the parent and on the highest count.
 * DynamoDB's TTL deletes expired items only eventually (within days), so every read and write
 * also treats an item past `expiresAt` as absent.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/howitworks-ttl.html
 */
export class DynamoThreads {
  constructor(private readonly table: StateTable) {}

  async save(key: string, write: ThreadParentWrite): Promise<ThreadParent> {
    const { sdk } = await this.table.connect();
    const item = {
      pk: { S: threadKey(key) },
      ref: { S: write.ref },
      count: { N: String(write.count) },
      [TTL_ATTRIBUTE]: { N: epochSeconds(write.expiresAt) },
    };
    try {
      await this.table.call((client) =>
        client.send(
          new sdk.PutItemCommand({
            TableName: this.table.name,
            Item: item,
            ...(write.replace
              ? {}
              : {
                  ConditionExpression: 'attribute_not_exists(pk) OR #ttl <= :now',
                  ExpressionAttributeNames: { '#ttl': TTL_ATTRIBUTE },
                  ExpressionAttributeValues: { ':now': { N: epochSeconds(write.now) } },
                }),
          }),
        ),
      );
      return { ref: write.ref, count: write.count };
    } catch (error) {
      if (!isConditionalCheckFailure(error)) throw error;
    }
    // Another message became the parent first: it stands.
    const standing = await this.read(key, write.now);
    return standing ?? { ref: write.ref, count: write.count };
  }

  async repeat(key: string, count: number, now: number): Promise<ThreadRepeat | undefined> {
    const { sdk } = await this.table.connect();
    try {
      const raised = await this.table.call((client) =>
        client.send(
          new sdk.UpdateItemCommand({
            TableName: this.table.name,
            Key: { pk: { S: threadKey(key) } },
            UpdateExpression: 'SET #count = :count',
            ConditionExpression: 'attribute_exists(pk) AND #ttl > :now AND #count < :count',
            ExpressionAttributeNames: { '#count': 'count', '#ttl': TTL_ATTRIBUTE },
            ExpressionAttributeValues: { ':count': { N: String(count) }, ':now': { N: epochSeconds(now) } },
            ReturnValues: 'ALL_NEW',
          }),
        ),
      );
      const ref = raised.Attributes?.ref?.S;
      if (ref !== undefined) return { parent: { ref, count }, newest: true };
    } catch (error) {
      if (!isConditionalCheckFailure(error)) throw error;
    }
    // No parent, an expired one, or a count as high already: read which.
    const standing = await this.read(key, now);
    return standing === undefined ? undefined : { parent: standing, newest: false };
  }

  private async read(key: string, now: number): Promise<ThreadParent | undefined> {
    const { sdk } = await this.table.connect();
    const found = await this.table.call((client) =>
      client.send(
        new sdk.GetItemCommand({
          TableName: this.table.name,
          Key: { pk: { S: threadKey(key) } },
          ConsistentRead: true,
        }),
      ),
    );
    const item = found.Item;
    const ref = item?.ref?.S;
    const expiresAt = Number(item?.[TTL_ATTRIBUTE]?.N ?? 0);
    if (ref === undefined || expiresAt <= Number(epochSeconds(now))) return undefined;
    return { ref, count: Number(item?.count?.N ?? 1) };
  }
}

/** `thread#` keeps these items apart from dedup, windows, deliveries, sightings and sessions. */
function threadKey(key: string): string {
  return partitionKey('thread#', key);
}

function epochSeconds(ms: number): string {
  return String(Math.ceil(ms / 1000));
}
