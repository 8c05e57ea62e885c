/** A state table on moto_server shaped like the stack's (partition key `pk`, TTL on `expiresAt`). */
import { CreateTableCommand, DynamoDBClient, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { TTL_ATTRIBUTE } from '../../lib/state';
import type { Moto } from '../helpers/moto';
import { MOTO_CREDENTIALS } from '../helpers/moto';

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
