// biome-ignore-all lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax, not JavaScript templates
/**
 * The Athena half of the stack (deploy/athena.yml, deploy/athena.cjs) as `serverless package`
 * writes it: the Glue table is AWS's documented CloudTrail table with partition projection over
 * account, region and day, its columns are the ones lib/athena/table.ts reads, the workgroup
 * enforces its results bucket, encryption and scan limit, and cfn-lint passes. Two packagings: the
 * defaults (the stack's own bucket and account), and an organisation trail read from a log-archive
 * bucket with injected accounts.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { CLOUDTRAIL_COLUMNS, columnName, hiveType, PARTITION_COLUMNS } from '../../lib/athena/table';
import type { Packaged, Resource } from './package';
import { cfnLint, cfnLintVersion, packageStack, statementsOf } from './package';

let defaults: Packaged;
let organisation: Packaged;

const ORGANISATION_PARAMS = [
  'athenaAccounts=injected',
  'athenaOrganizationId=o-a1b2c3d4e5',
  'athenaLogBucket=acme-log-archive',
  'athenaRegions=eu-west-1,us-east-1',
  'athenaHistoryStart=2024/06/01',
  'athenaBytesScannedCutoff=10000000',
  'athenaResultsExpirationDays=2',
];

beforeAll(() => {
  defaults = packageStack([]);
  organisation = packageStack(ORGANISATION_PARAMS);
}, 180_000);

function resource(packaged: Packaged, name: string): Resource {
  const found = packaged.template.Resources[name];
  if (found === undefined) throw new Error(`no ${name} in the template`);
  return found;
}

interface TableInput {
  Name: string;
  TableType: string;
  Parameters: Record<string, unknown>;
  PartitionKeys: { Name: string; Type: string }[];
  StorageDescriptor: {
    Columns: { Name: string; Type: string }[];
    Location: unknown;
    InputFormat: string;
    OutputFormat: string;
    SerdeInfo: { SerializationLibrary: string };
  };
}

function tableInput(packaged: Packaged): TableInput {
  return resource(packaged, 'AthenaCloudTrailTable').Properties.TableInput as TableInput;
}

describe('the Glue CloudTrail table', () => {
  it("has AWS's documented columns, as lib/athena/table.ts reads them, in order", () => {
    const columns = tableInput(defaults).StorageDescriptor.Columns;
    expect(columns).toEqual(
      CLOUDTRAIL_COLUMNS.map((column) => ({ Name: columnName(column), Type: hiveType(column.type) })),
    );
    // Spot checks against the documented DDL, written out rather than derived.
    const byName = new Map(columns.map((column) => [column.Name, column.Type]));
    expect(byName.get('resources')).toBe('array<struct<arn:string,accountid:string,type:string>>');
    expect(byName.get('requestparameters')).toBe('string');
    expect(byName.get('readonly')).toBe('string');
    expect(byName.get('tlsdetails')).toBe(
      'struct<tlsversion:string,ciphersuite:string,clientprovidedhostheader:string>',
    );
    expect(byName.get('useridentity')).toContain(
      'sessionissuer:struct<type:string,principalid:string,arn:string,accountid:string,username:string>',
    );
    for (const documented of [
      'eventversion',
      'eventtime',
      'eventsource',
      'eventname',
      'awsregion',
      'sourceipaddress',
      'useragent',
      'errorcode',
      'errormessage',
      'responseelements',
      'additionaleventdata',
      'requestid',
      'eventid',
      'eventtype',
      'apiversion',
      'recipientaccountid',
      'serviceeventdetails',
      'sharedeventid',
      'vpcendpointid',
    ])
      expect(byName.get(documented), documented).toBe('string');
  });

  it('reads the log files with the CloudTrail input format and the Hive JSON SerDe, as an external table', () => {
    const input = tableInput(defaults);
    expect(input.Name).toBe('cloudtrail');
    expect(input.TableType).toBe('EXTERNAL_TABLE');
    expect(input.StorageDescriptor).toMatchObject({
      InputFormat: 'com.amazon.emr.cloudtrail.CloudTrailInputFormat',
      OutputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
      SerdeInfo: { SerializationLibrary: 'org.apache.hive.hcatalog.data.JsonSerDe' },
      Location: { 'Fn::Sub': ['s3://${Bucket}/AWSLogs/', { Bucket: { Ref: 'TrailBucket' } }] },
    });
  });

  it('projects account, region and day partitions over the trail bucket, the stack account by default', () => {
    const input = tableInput(defaults);
    expect(input.PartitionKeys).toEqual(PARTITION_COLUMNS.map((name) => ({ Name: name, Type: 'string' })));
    const parameters = input.Parameters;
    expect(parameters).toMatchObject({
      'projection.enabled': 'true',
      'projection.account.type': 'enum',
      'projection.account.values': { Ref: 'AWS::AccountId' },
      'projection.region.type': 'enum',
      'projection.date.type': 'date',
      'projection.date.format': 'yyyy/MM/dd',
      'projection.date.range': '2020/01/01,NOW',
      'projection.date.interval': '1',
      'projection.date.interval.unit': 'DAYS',
      'storage.location.template': {
        'Fn::Sub': [
          // ${!x} is Fn::Sub's escape: the deployed template holds ${account}, Athena's placeholder.
          's3://${Bucket}/AWSLogs/${!account}/CloudTrail/${!region}/${!date}',
          { Bucket: { Ref: 'TrailBucket' } },
        ],
      },
    });
    expect(String(parameters['projection.region.values']).split(',')).toEqual(
      expect.arrayContaining(['us-east-1', 'eu-west-1', 'ap-southeast-2', 'sa-east-1']),
    );
  });

  it("reads an organisation trail's layout in another bucket, with injected accounts", () => {
    const input = tableInput(organisation);
    expect(input.Parameters).toMatchObject({
      'projection.account.type': 'injected',
      'projection.region.values': 'eu-west-1,us-east-1',
      'projection.date.range': '2024/06/01,NOW',
      'storage.location.template': {
        'Fn::Sub': [
          's3://${Bucket}/AWSLogs/o-a1b2c3d4e5/${!account}/CloudTrail/${!region}/${!date}',
          { Bucket: 'acme-log-archive' },
        ],
      },
    });
    expect(input.Parameters).not.toHaveProperty('projection.account.values');
    expect(input.StorageDescriptor.Location).toEqual({
      'Fn::Sub': ['s3://${Bucket}/AWSLogs/o-a1b2c3d4e5/', { Bucket: 'acme-log-archive' }],
    });
  });

  it('names its database after the stack, in the letters Athena takes', () => {
    expect(resource(defaults, 'AthenaDatabase').Properties).toMatchObject({
      DatabaseInput: { Name: { 'Fn::Join': ['_', { 'Fn::Split': ['-', { Ref: 'AWS::StackName' }] }] } },
    });
  });
});

describe('the Athena workgroup', () => {
  it('enforces engine 3, its encrypted results location and the scan limit', () => {
    expect(resource(defaults, 'AthenaWorkGroup').Properties).toMatchObject({
      State: 'ENABLED',
      RecursiveDeleteOption: true,
      WorkGroupConfiguration: {
        EnforceWorkGroupConfiguration: true,
        BytesScannedCutoffPerQuery: 1099511627776,
        EngineVersion: { SelectedEngineVersion: 'Athena engine version 3' },
        ResultConfiguration: {
          OutputLocation: { 'Fn::Sub': 's3://${AthenaResultsBucket}/results/' },
          EncryptionConfiguration: { EncryptionOption: 'SSE_S3' },
        },
      },
    });
    // A --param is text; CloudFormation reads '10000000' as the number.
    const configuration = resource(organisation, 'AthenaWorkGroup').Properties.WorkGroupConfiguration;
    expect(Number(Reflect.get(Object(configuration), 'BytesScannedCutoffPerQuery'))).toBe(10_000_000);
  });

  it('writes results to a private, encrypted bucket that expires them', () => {
    const bucket = resource(defaults, 'AthenaResultsBucket');
    expect(bucket.Properties).toMatchObject({
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      LifecycleConfiguration: { Rules: [{ Status: 'Enabled', ExpirationInDays: 7 }] },
    });
    expect(resource(organisation, 'AthenaResultsBucket').Properties).toMatchObject({
      LifecycleConfiguration: { Rules: [{ ExpirationInDays: '2' }] },
    });
    const policy = statementsOf(resource(defaults, 'AthenaResultsBucketPolicy').Properties);
    expect(policy).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
  });
});

describe('the hunt policy', () => {
  it('grants the query calls on the workgroup, the table definition, the log objects and the results, no wildcard action', () => {
    const statements = statementsOf(resource(organisation, 'AthenaHuntPolicy').Properties);
    const actions = statements.flatMap((statement) => [statement.Action].flat());
    expect(actions).toEqual(
      expect.arrayContaining([
        'athena:StartQueryExecution',
        'athena:GetQueryExecution',
        'athena:GetQueryResults',
        'athena:StopQueryExecution',
        'glue:GetTable',
        'cloudformation:DescribeStacks',
        's3:GetObject',
        's3:PutObject',
      ]),
    );
    for (const action of actions) expect(String(action)).not.toContain('*');
    expect(statements.find((statement) => statement.Sid === 'ReadTheLogObjects')?.Resource).toEqual({
      'Fn::Sub': [
        'arn:${AWS::Partition}:s3:::${Bucket}/AWSLogs/o-a1b2c3d4e5/*',
        { Bucket: 'acme-log-archive' },
      ],
    });
  });
});

describe('parameters', () => {
  it.each([
    ['athenaOrganizationId=org-1', 'param athenaOrganizationId'],
    ['athenaAccounts=12345', 'param athenaAccounts'],
    ['athenaHistoryStart=2024-06-01', 'param athenaHistoryStart'],
    ['athenaRegions=eu_west_1', 'param athenaRegions'],
  ])(
    '%s fails packaging with the parameter named',
    (param, named) => {
      let output = '';
      try {
        packageStack([param]);
      } catch (error) {
        // execFileSync's error carries the command's output; osls prints the resolver's error there.
        if (typeof error === 'object' && error !== null)
          output = `${String(Reflect.get(error, 'stdout'))}${String(Reflect.get(error, 'stderr'))}`;
      }
      expect(output).toContain(named);
    },
    60_000,
  );
});

describe.skipIf(cfnLintVersion === undefined)(`cfn-lint (${cfnLintVersion ?? 'not installed'})`, () => {
  it('passes on both packagings', () => {
    expect(cfnLint(defaults.templateFile)).toEqual({ status: 0, output: '' });
    expect(cfnLint(organisation.templateFile)).toEqual({ status: 0, output: '' });
  });
});
