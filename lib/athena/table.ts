/**
 * The CloudTrail table the stack creates (deploy/athena.yml), as data: AWS's documented columns
 * (https://docs.aws.amazon.com/athena/latest/ug/create-cloudtrail-table-partition-projection.html)
 * under the names CloudTrail's JSON gives them. The Hive JSON SerDe matches JSON keys to columns
 * case-insensitively, so the column `sourceipaddress` holds the record's `sourceIPAddress`; this
 * module keeps both spellings, because rules name fields as the JSON spells them (case-sensitive
 * in the JavaScript engine) and findings are printed from records rebuilt with the JSON's names.
 * test/deploy/athena-template.test.ts checks these columns against the packaged Glue table.
 */

/** A column's or a struct field's type. `json` is a STRING column holding a JSON object's text. */
export type ColumnType =
  | { readonly kind: 'string' }
  /** STRING in the table, a JSON boolean in the record (`readOnly: true` is stored as 'true'). */
  | { readonly kind: 'boolean' }
  | { readonly kind: 'json' }
  | { readonly kind: 'struct'; readonly fields: readonly Field[] }
  | { readonly kind: 'array'; readonly element: ColumnType }
  | { readonly kind: 'map' };

export interface Field {
  /** As CloudTrail's JSON spells it (`sessionIssuer`, `ARN`). */
  readonly name: string;
  readonly type: ColumnType;
}

const string: ColumnType = { kind: 'string' };
const json: ColumnType = { kind: 'json' };
const struct = (fields: readonly Field[]): ColumnType => ({ kind: 'struct', fields });
const field = (name: string, type: ColumnType = string): Field => ({ name, type });

/** The columns, in the documented order; a column's name is `name.toLowerCase()`. */
export const CLOUDTRAIL_COLUMNS: readonly Field[] = [
  field('eventVersion'),
  field(
    'userIdentity',
    struct([
      field('type'),
      field('principalId'),
      field('arn'),
      field('accountId'),
      field('invokedBy'),
      field('accessKeyId'),
      field('userName'),
      field('onBehalfOf', struct([field('userId'), field('identityStoreArn')])),
      field(
        'sessionContext',
        struct([
          field('attributes', struct([field('mfaAuthenticated'), field('creationDate')])),
          field(
            'sessionIssuer',
            struct([
              field('type'),
              field('principalId'),
              field('arn'),
              field('accountId'),
              field('userName'),
            ]),
          ),
          field('ec2RoleDelivery'),
          field(
            'webIdFederationData',
            struct([field('federatedProvider'), field('attributes', { kind: 'map' })]),
          ),
        ]),
      ),
    ]),
  ),
  field('eventTime'),
  field('eventSource'),
  field('eventName'),
  field('awsRegion'),
  field('sourceIPAddress'),
  field('userAgent'),
  field('errorCode'),
  field('errorMessage'),
  field('requestParameters', json),
  field('responseElements', json),
  field('additionalEventData', json),
  field('requestID'),
  field('eventID'),
  field('readOnly', { kind: 'boolean' }),
  field('resources', { kind: 'array', element: struct([field('ARN'), field('accountId'), field('type')]) }),
  field('eventType'),
  field('apiVersion'),
  field('recipientAccountId'),
  field('serviceEventDetails', json),
  field('sharedEventID'),
  field('vpcEndpointId'),
  field('vpcEndpointAccountId'),
  field('eventCategory'),
  field(
    'addendum',
    struct([field('reason'), field('updatedFields'), field('originalRequestID'), field('originalEventID')]),
  ),
  field('sessionCredentialFromConsole'),
  field('edgeDeviceDetails', json),
  field('tlsDetails', struct([field('tlsVersion'), field('cipherSuite'), field('clientProvidedHostHeader')])),
];

/** The partition columns, in order: the account folder, the region folder, the day `yyyy/MM/dd`. */
export const PARTITION_COLUMNS = ['account', 'region', 'date'] as const;

/** The table's name in the stack's database. */
export const CLOUDTRAIL_TABLE_NAME = 'cloudtrail';

/** The type as Glue and Hive write it: `struct<type:string,…>`, `array<…>`, `map<string,string>`. */
export function hiveType(type: ColumnType): string {
  switch (type.kind) {
    case 'string':
    case 'boolean':
    case 'json':
      return 'string';
    case 'map':
      return 'map<string,string>';
    case 'array':
      return `array<${hiveType(type.element)}>`;
    case 'struct':
      return `struct<${type.fields.map((inner) => `${inner.name.toLowerCase()}:${hiveType(inner.type)}`).join(',')}>`;
  }
}

/** The column's or struct field's SQL name (the table's names are lowercase). */
export function columnName(field: Field): string {
  return field.name.toLowerCase();
}
