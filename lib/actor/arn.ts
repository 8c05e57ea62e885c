/**
 * The parts of IAM and STS ARNs attribution needs.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
 */

/** `arn:aws:sts::111111111111:assumed-role/Admin/deploy`: a role session, by role name and session name. */
export interface RoleSessionArn {
  readonly partition: string;
  readonly account: string;
  readonly roleName: string;
  readonly sessionName: string;
}

const ARN_PREFIX = 'arn:';

/** The account id field of any ARN, or undefined. */
export function arnAccount(arn: string): string | undefined {
  if (!arn.startsWith(ARN_PREFIX)) return undefined;
  const account = arn.split(':', 5)[4];
  return account === undefined || account === '' ? undefined : account;
}

/** Parses an STS assumed-role ARN; a role name has no `/` there (paths are dropped), a session name neither. */
export function parseRoleSessionArn(arn: string): RoleSessionArn | undefined {
  if (!arn.startsWith(ARN_PREFIX)) return undefined;
  const fields = arn.split(':');
  if (fields.length < 6 || fields[2] !== 'sts') return undefined;
  const resource = fields.slice(5).join(':').split('/');
  if (resource[0] !== 'assumed-role' || resource.length < 3) return undefined;
  const [, roleName = '', ...session] = resource;
  const sessionName = session.join('/');
  const partition = fields[1] ?? '';
  const account = fields[4] ?? '';
  if (roleName === '' || sessionName === '' || partition === '' || account === '') return undefined;
  return { partition, account, roleName, sessionName };
}

/** The IAM role ARN a role session belongs to, when no sessionIssuer says it (the path is unknown then). */
export function roleArnOf(session: RoleSessionArn): string {
  return `arn:${session.partition}:iam::${session.account}:role/${session.roleName}`;
}

/** The last path segment of an ARN's resource: the role or user name, without its path. */
export function arnName(arn: string): string {
  const slash = arn.lastIndexOf('/');
  if (slash >= 0) return arn.slice(slash + 1);
  const colon = arn.lastIndexOf(':');
  return colon >= 0 ? arn.slice(colon + 1) : arn;
}

/**
 * IAM Identity Center creates one role per permission set in each account, named
 * `AWSReservedSSO_<permission set>_<hex>`, and only Identity Center can assume it (its trust policy
 * names the account's `AWSSSO_…` SAML provider). Identity Center sets the role session name to the
 * user's Identity Center user name, so for these roles the session name IS the person, by AWS design.
 * https://docs.aws.amazon.com/singlesignon/latest/userguide/using-service-linked-roles.html
 * https://docs.aws.amazon.com/singlesignon/latest/userguide/sso-info-in-cloudtrail.html
 */
export const IDENTITY_CENTER_ROLE_PREFIX = 'AWSReservedSSO_';

export function isIdentityCenterRole(roleName: string): boolean {
  return roleName.startsWith(IDENTITY_CENTER_ROLE_PREFIX);
}
