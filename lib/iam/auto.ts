/**
 * `placeholders: {wide_permission_roles: auto}`: the role ARNs `trailwatch roles` lists, as the
 * rules' `%wide_permission_roles%` expects them (exact role ARNs, path included, as CloudTrail
 * writes them in `sessionIssuer.arn` and the actor's `via`). Conditional grants are included: the
 * role can be administrator-equivalent, which is what the rules watch.
 */
import type { TrailwatchConfig } from '../config';
import { ConfigError, loadConfig, setResolvedAutoPlaceholders } from '../config';
import type { RolesReport } from './analyse';
import { analyseRoles } from './analyse';
import type { AuthorizationDetailsSender, IamConnection } from './read';
import { createIamClient, describeEndpoint, IamReadError, readAuthorizationDetails } from './read';

export const WIDE_PERMISSION_ROLES = 'wide_permission_roles';

export function wideRoleArns(report: RolesReport): string[] {
  return report.wide.map((role) => role.arn);
}

/** Reads IAM and returns the wide roles' ARNs; an unreadable IAM is an IamReadError naming the endpoint. */
export async function findWideRoleArns(
  connection: IamConnection,
  client?: AuthorizationDetailsSender,
): Promise<string[]> {
  const details = await readAuthorizationDetails(
    client ?? (await createIamClient(connection)),
    describeEndpoint(connection),
  );
  return wideRoleArns(analyseRoles(details));
}

export function needsWideRoles(config: TrailwatchConfig): boolean {
  return (config.autoPlaceholders ?? []).includes(WIDE_PERMISSION_ROLES);
}

/**
 * For a CLI run: when the config sets `wide_permission_roles: auto`, read IAM once and keep the
 * list for every read of that config in this process. A config that does not load is left to the
 * command, which reports it with its lines.
 */
export async function resolveAutoPlaceholdersForCli(
  configPath: string | undefined,
  connection: IamConnection = {},
): Promise<void> {
  let config: TrailwatchConfig;
  try {
    config = loadConfig(configPath);
  } catch (error) {
    if (error instanceof ConfigError) return;
    throw error;
  }
  if (!config.file || !needsWideRoles(config)) return;
  try {
    setResolvedAutoPlaceholders(config.file, { [WIDE_PERMISSION_ROLES]: await findWideRoleArns(connection) });
  } catch (error) {
    if (error instanceof IamReadError)
      throw new IamReadError(
        `placeholders.${WIDE_PERMISSION_ROLES} is 'auto' in ${config.file}, but IAM could not be read: ${error.message}`,
        {
          location: { file: config.file, pointer: `placeholders.${WIDE_PERMISSION_ROLES}` },
          cause: error,
          retryable: error.retryable,
          locationInMessage: true,
        },
      );
    throw error;
  }
}
