import { clearResolvedAutoPlaceholders } from '../config';
import type { IamConnection } from '../iam';
import {
  analyseRoles,
  createIamClient,
  describeEndpoint,
  formatRolesJson,
  formatRolesTable,
  IamReadError,
  readAuthorizationDetails,
  resolveAutoPlaceholdersForCli,
} from '../iam';
import * as z from '../validation';
import type { CliIo } from './io';
import { EXIT_INPUT_FAILED, EXIT_OK } from './io';
import { clientRegionFlag, outputFlag } from './options';

export const ROLES_FORMATS = ['table', 'json'] as const;

/** `trailwatch roles`'s flags, checked and typed at the edge. */
export const rolesFlags = z.object({
  output: outputFlag(ROLES_FORMATS, 'table'),
  region: z.optional(clientRegionFlag),
  endpointUrl: z.optional(z.string()),
  profile: z.optional(z.string()),
});
export type RolesCliOptions = z.output<typeof rolesFlags>;

export function iamConnection(options: RolesCliOptions): IamConnection {
  return {
    ...(options.region === undefined ? {} : { region: options.region }),
    ...(options.endpointUrl === undefined ? {} : { endpoint: options.endpointUrl }),
    ...(options.profile === undefined ? {} : { profile: options.profile }),
  };
}

/**
 * `trailwatch roles`: the roles whose policies grant administrator-equivalent power, why, and who
 * may assume them. Exit 0 with the list (empty or not), 1 when IAM cannot be read, 2 for usage.
 */
export async function runRoles(options: RolesCliOptions, io: CliIo): Promise<number> {
  const format = options.output;
  const connection = iamConnection(options);
  try {
    const details = await readAuthorizationDetails(
      await createIamClient(connection),
      describeEndpoint(connection),
    );
    const report = analyseRoles(details);
    io.stdout.write(format === 'json' ? formatRolesJson(report) : formatRolesTable(report));
    return EXIT_OK;
  } catch (error) {
    if (error instanceof IamReadError) {
      io.stderr.write(`trailwatch: error: ${error.message}\n`);
      return EXIT_INPUT_FAILED;
    }
    throw error;
  }
}

/** The commands that evaluate rules with trailwatch.yml's placeholders. */
const COMMANDS_WITH_PLACEHOLDERS = new Set(['scan', 'lookup', 'backtest', 'audit']);

/**
 * Run before every command's action: when the command evaluates rules and its trailwatch.yml sets
 * `wide_permission_roles: auto`, IAM is read once (the SDK's default chain; AWS_ENDPOINT_URL_IAM
 * for an emulator) so every read of that config in this run has the list. An unreadable IAM is an
 * IamReadError (exit 1), never a silently empty list.
 */
export async function resolveAutoPlaceholdersBeforeAction(action: {
  name(): string;
  opts(): Record<string, unknown>;
}): Promise<void> {
  clearResolvedAutoPlaceholders();
  if (!COMMANDS_WITH_PLACEHOLDERS.has(action.name())) return;
  const options = action.opts();
  // lookup evaluates rules only when asked to.
  if (action.name() === 'lookup' && options.rules === undefined) return;
  await resolveAutoPlaceholdersForCli(typeof options.config === 'string' ? options.config : undefined);
}
