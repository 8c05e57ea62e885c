/** A state table on moto_server shaped like the stack's (partition key `pk`, TTL on `expiresAt`). */
import { CreateTableCommand, DynamoDBClient, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll } from 'vitest';
import { DynamoStateStore, TTL_ATTRIBUTE } from '../../lib/state';
import type { Moto } from '../helpers/moto';
import { MOTO_CREDENTIALS, MOTO_SKIP_MESSAGE, motoAvailable, startMoto } from '../helpers/moto';

export const MOTO_REGION = 'us-east-1';

export function motoDynamo(moto: Moto): DynamoDBClient {
  return new DynamoDBClient({ region: MOTO_REGION, endpoint: moto.endpoint, credentials: MOTO_CREDENTIALS });
}

export async function createStateTable(client: DynamoDBClient, table: string): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: table,
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: table,
      TimeToLiveSpecification: { Enabled: true, AttributeName: TTL_ATTRIBUTE },
    }),
  );
}

export interface MotoStateTables {
  /** A fresh state table on this file's moto_server (throws when moto_server is absent). */
  newTable(): Promise<{ table: string; client: DynamoDBClient; endpoint: string }>;
  /** A DynamoDB state store over a fresh table. */
  newStore(): Promise<DynamoStateStore>;
}

/**
 * One moto_server for a test file, started before its tests and stopped after, handing out fresh
 * state tables named `<prefix>-<n>`. Serial: conditional writes are atomic only when moto handles
 * one request at a time, as DynamoDB does per item. Where moto_server is absent it warns once and
 * starts nothing; tests gate on `motoAvailable`.
 */
export function useMotoStateTables(prefix: string): MotoStateTables {
  if (!motoAvailable) console.warn(MOTO_SKIP_MESSAGE);
  let moto: Moto | undefined;
  let client: DynamoDBClient | undefined;
  let tables = 0;
  beforeAll(async () => {
    if (!motoAvailable) return;
    moto = await startMoto({ serial: true });
    client = motoDynamo(moto);
  }, 60_000);
  afterAll(async () => {
    client?.destroy();
    await moto?.stop();
  });
  const newTable = async () => {
    if (!client || !moto) throw new Error('moto_server is not running');
    const table = `${prefix}-${++tables}`;
    await createStateTable(client, table);
    return { table, client, endpoint: moto.endpoint };
  };
  return {
    newTable,
    async newStore() {
      const { table, client: dynamo } = await newTable();
      return new DynamoStateStore({ table, client: dynamo });
    },
  };
}
