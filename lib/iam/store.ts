/**
 * Where the Lambda functions keep the `auto` wide-role list: one item in the state table,
 * `pk = config#wide_permission_roles`, with the ARNs and when they were read. The health run writes
 * it; the ingest functions read it at cold start and again when it is older than their refresh
 * interval. The state table was chosen over an SSM parameter because every function's role can
 * already read and the bootstrap's can already write that table (deploy/roles.yml `useState`): the
 * only new permission is iam:GetAccountAuthorizationDetails for the bootstrap. A DynamoDB item
 * holds 400 KB (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html),
 * over 3,000 role ARNs of the longest kind; the list is cut there and the cut is logged.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

export const WIDE_ROLES_ITEM_KEY = 'config#wide_permission_roles';
/** The DynamoDB item size limit, less room for the key and the other attributes. */
export const WIDE_ROLES_ITEM_BUDGET_BYTES = 400 * 1024 - 1024;

export interface WideRolesSnapshot {
  readonly roles: readonly string[];
  /** Epoch milliseconds of the IAM read. */
  readonly refreshedAt: number;
  /** Wide roles left out to fit the item (0 normally). */
  readonly truncated: number;
}

export interface WideRolesStoreSettings {
  readonly table: string;
  readonly region?: string;
  readonly endpoint?: string;
  readonly client?: DynamoDBClient;
}

/** The ARNs that fit the item, in order, and how many did not. */
export function fitToItem(roles: readonly string[]): { kept: string[]; truncated: number } {
  const kept: string[] = [];
  let size = 0;
  for (const role of roles) {
    size += Buffer.byteLength(role, 'utf8') + 3;
    if (size > WIDE_ROLES_ITEM_BUDGET_BYTES) break;
    kept.push(role);
  }
  return { kept, truncated: roles.length - kept.length };
}

export class WideRolesStore {
  private client:
    | Promise<{ client: DynamoDBClient; sdk: typeof import('@aws-sdk/client-dynamodb') }>
    | undefined;

  constructor(private readonly settings: WideRolesStoreSettings) {}

  private connect() {
    this.client ??= import('@aws-sdk/client-dynamodb').then((sdk) => ({
      sdk,
      client:
        this.settings.client ??
        new sdk.DynamoDBClient({
          ...(this.settings.region === undefined ? {} : { region: this.settings.region }),
          ...(this.settings.endpoint === undefined ? {} : { endpoint: this.settings.endpoint }),
        }),
    }));
    return this.client;
  }

  async put(roles: readonly string[], refreshedAt: number): Promise<WideRolesSnapshot> {
    const { client, sdk } = await this.connect();
    const { kept, truncated } = fitToItem(roles);
    await client.send(
      new sdk.PutItemCommand({
        TableName: this.settings.table,
        Item: {
          pk: { S: WIDE_ROLES_ITEM_KEY },
          roles: { L: kept.map((role) => ({ S: role })) },
          refreshedAt: { N: String(refreshedAt) },
          truncated: { N: String(truncated) },
        },
      }),
    );
    return { roles: kept, refreshedAt, truncated };
  }

  /** The stored list, or undefined when the health run has not written one yet. */
  async get(): Promise<WideRolesSnapshot | undefined> {
    const { client, sdk } = await this.connect();
    const answer = await client.send(
      new sdk.GetItemCommand({ TableName: this.settings.table, Key: { pk: { S: WIDE_ROLES_ITEM_KEY } } }),
    );
    const item = answer.Item;
    if (!item) return undefined;
    const roles = (item.roles?.L ?? []).flatMap((value) => (value.S === undefined ? [] : [value.S]));
    return {
      roles,
      refreshedAt: Number(item.refreshedAt?.N ?? 0),
      truncated: Number(item.truncated?.N ?? 0),
    };
  }
}
