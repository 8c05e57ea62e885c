import type { AthenaClient } from '@aws-sdk/client-athena';
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { resolveRegion } from '../aws';
import { TrailwatchError } from '../errors';
import { CLOUDTRAIL_TABLE_NAME } from './table';

/**
 * Which Athena workgroup, database and table a hunt queries. Given on the command line
 * (`--workgroup`, `--database`, `--table`, `--output-location`), else in the environment
 * (TRAILWATCH_ATHENA_WORKGROUP, _DATABASE, _TABLE, _OUTPUT_LOCATION), else read from the deployed
 * stack's outputs (deploy/athena.yml: AthenaWorkGroupName, AthenaDatabaseName, AthenaTableName,
 * AthenaResultsLocation) for the stack named by `--stack` or TRAILWATCH_STACK (default
 * `trailwatch-dev`, `serverless deploy`'s default stage).
 */
export interface AthenaSettings {
  readonly workGroup: string;
  readonly database: string;
  readonly table: string;
  /** Only needed for a workgroup that does not enforce its own result location (the stack's does). */
  readonly outputLocation?: string;
  readonly region: string;
}

export interface AthenaSettingsInput {
  readonly workGroup?: string;
  readonly database?: string;
  readonly table?: string;
  readonly outputLocation?: string;
  readonly stack?: string;
  readonly region?: string;
  /** For tests and custom endpoints; created for the region otherwise. */
  readonly cloudformation?: CloudFormationClient;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export const DEFAULT_STACK = 'trailwatch-dev';

/** The settings could not be found: names what was missing and where it was looked for. */
export class AthenaSettingsError extends TrailwatchError {
  override readonly name = 'AthenaSettingsError';
  constructor(message: string, stack: string, cause?: unknown) {
    super(message, 'athena-settings', {
      location: { service: 'CloudFormation', call: 'DescribeStacks', resource: `stack ${stack}` },
      // The message names the stack in its own words.
      locationInMessage: true,
      ...(cause === undefined ? {} : { cause }),
    });
  }
}

function given(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

export async function resolveAthenaSettings(input: AthenaSettingsInput = {}): Promise<AthenaSettings> {
  const env = input.env ?? process.env;
  const region = resolveRegion(given(input.region));
  const workGroup = given(input.workGroup) ?? given(env.TRAILWATCH_ATHENA_WORKGROUP);
  const database = given(input.database) ?? given(env.TRAILWATCH_ATHENA_DATABASE);
  const table = given(input.table) ?? given(env.TRAILWATCH_ATHENA_TABLE);
  const outputLocation = given(input.outputLocation) ?? given(env.TRAILWATCH_ATHENA_OUTPUT_LOCATION);
  if (workGroup !== undefined && database !== undefined) {
    return {
      workGroup,
      database,
      table: table ?? CLOUDTRAIL_TABLE_NAME,
      region,
      ...(outputLocation === undefined ? {} : { outputLocation }),
    };
  }
  const stack = given(input.stack) ?? given(env.TRAILWATCH_STACK) ?? DEFAULT_STACK;
  const outputs = await stackOutputs(stack, region, input.cloudformation);
  const fromStack = (name: string): string => {
    const value = outputs.get(name);
    if (value === undefined)
      throw new AthenaSettingsError(
        `stack ${stack} has no output ${name}: deploy the stack with deploy/athena.yml, or name --workgroup and --database`,
        stack,
      );
    return value;
  };
  const location = outputLocation ?? outputs.get('AthenaResultsLocation');
  return {
    workGroup: workGroup ?? fromStack('AthenaWorkGroupName'),
    database: database ?? fromStack('AthenaDatabaseName'),
    table: table ?? outputs.get('AthenaTableName') ?? CLOUDTRAIL_TABLE_NAME,
    region,
    ...(location === undefined ? {} : { outputLocation: location }),
  };
}

async function stackOutputs(
  stack: string,
  region: string,
  client?: CloudFormationClient,
): Promise<Map<string, string>> {
  const { CloudFormationClient, DescribeStacksCommand } = await import('@aws-sdk/client-cloudformation');
  const cloudformation = client ?? new CloudFormationClient({ region });
  try {
    const answer = await cloudformation.send(new DescribeStacksCommand({ StackName: stack }));
    const outputs = answer.Stacks?.[0]?.Outputs ?? [];
    return new Map(
      outputs.flatMap((output) =>
        output.OutputKey === undefined || output.OutputValue === undefined
          ? []
          : [[output.OutputKey, output.OutputValue]],
      ),
    );
  } catch (error) {
    throw new AthenaSettingsError(
      `cannot read the outputs of stack ${stack} in ${region} (name --workgroup and --database, or --stack): ${error instanceof Error ? error.message : String(error)}`,
      stack,
      error,
    );
  }
}

/** An Athena client for the settings' region (loaded when a hunt runs, not when the CLI starts). */
export async function createAthenaClient(
  settings: Pick<AthenaSettings, 'region'>,
  endpoint?: string,
): Promise<AthenaClient> {
  const { AthenaClient } = await import('@aws-sdk/client-athena');
  return new AthenaClient({ region: settings.region, ...(endpoint === undefined ? {} : { endpoint }) });
}
