/**
 * Where an Athena hunt finds its workgroup, database and table: the flags, else the environment,
 * else the deployed stack's outputs (CloudFormation on the SDK mock).
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { AthenaSettingsError, resolveAthenaSettings } from '../../lib/athena';

const cloudformation = mockClient(CloudFormationClient);
afterEach(() => cloudformation.reset());

const OUTPUTS = [
  { OutputKey: 'AthenaWorkGroupName', OutputValue: 'trailwatch-prod' },
  { OutputKey: 'AthenaDatabaseName', OutputValue: 'trailwatch_prod' },
  { OutputKey: 'AthenaTableName', OutputValue: 'cloudtrail' },
  { OutputKey: 'AthenaResultsLocation', OutputValue: 's3://results-bucket/results/' },
];

describe('resolveAthenaSettings', () => {
  it('takes the flags over the environment, and reads no stack when both names are given', async () => {
    const settings = await resolveAthenaSettings({
      workGroup: 'wg-flag',
      database: 'db_flag',
      region: 'eu-west-1',
      env: {
        TRAILWATCH_ATHENA_WORKGROUP: 'wg-env',
        TRAILWATCH_ATHENA_DATABASE: 'db_env',
        TRAILWATCH_ATHENA_TABLE: 'ct',
      },
    });
    expect(settings).toEqual({ workGroup: 'wg-flag', database: 'db_flag', table: 'ct', region: 'eu-west-1' });
    expect(cloudformation.commandCalls(DescribeStacksCommand)).toHaveLength(0);
  });

  it("reads the named stack's outputs when the workgroup or database is not given", async () => {
    cloudformation.on(DescribeStacksCommand, { StackName: 'trailwatch-prod' }).resolves({
      Stacks: [
        {
          StackName: 'trailwatch-prod',
          CreationTime: new Date(0),
          StackStatus: 'UPDATE_COMPLETE',
          Outputs: OUTPUTS,
        },
      ],
    });
    const settings = await resolveAthenaSettings({
      env: { TRAILWATCH_STACK: 'trailwatch-prod' },
      region: 'eu-west-1',
      cloudformation: new CloudFormationClient({ region: 'eu-west-1' }),
    });
    expect(settings).toEqual({
      workGroup: 'trailwatch-prod',
      database: 'trailwatch_prod',
      table: 'cloudtrail',
      outputLocation: 's3://results-bucket/results/',
      region: 'eu-west-1',
    });
  });

  it.each([
    [[], 'stack trailwatch-dev has no output AthenaWorkGroupName: deploy the stack with deploy/athena.yml'],
  ])('says what is missing from a stack without the Athena outputs', async (outputs, message) => {
    cloudformation.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: 'trailwatch-dev',
          CreationTime: new Date(0),
          StackStatus: 'CREATE_COMPLETE',
          Outputs: outputs,
        },
      ],
    });
    const failure = resolveAthenaSettings({
      env: {},
      cloudformation: new CloudFormationClient({ region: 'us-east-1' }),
    });
    await expect(failure).rejects.toBeInstanceOf(AthenaSettingsError);
    await expect(failure).rejects.toThrow(message);
  });

  it('says which stack it could not read, with the AWS error as the cause', async () => {
    cloudformation.on(DescribeStacksCommand).rejects(new Error('Stack with id nope does not exist'));
    const failure = resolveAthenaSettings({
      stack: 'nope',
      env: {},
      region: 'eu-west-1',
      cloudformation: new CloudFormationClient({ region: 'eu-west-1' }),
    });
    await expect(failure).rejects.toMatchObject({
      code: 'athena-settings',
      message:
        'cannot read the outputs of stack nope in eu-west-1 (name --workgroup and --database, or --stack): Stack with id nope does not exist',
      location: { service: 'CloudFormation', call: 'DescribeStacks', resource: 'stack nope' },
    });
  });
});
