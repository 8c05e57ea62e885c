import type { RoleSessionArn } from './arn';
import { parseRoleSessionArn, roleArnOf } from './arn';
import type { Fields } from './read';
import { asFields, child, text } from './read';

/**
 * What a record's `userIdentity` says about its caller, read once with type checks.
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html
 */
export interface IdentityFacts {
  /** `IAMUser`, `AssumedRole`, `Root`, `FederatedUser`, `AWSAccount`, `AWSService`, `SAMLUser`, `WebIdentityUser`, `IdentityCenterUser`, … */
  readonly type: string | undefined;
  readonly arn: string | undefined;
  readonly accountId: string | undefined;
  readonly accessKeyId: string | undefined;
  readonly userName: string | undefined;
  readonly principalId: string | undefined;
  readonly invokedBy: string | undefined;
  /** For a role session: the session ARN's parts. */
  readonly roleSession: RoleSessionArn | undefined;
  /** For a role session: the role's ARN (from `sessionIssuer`, else built from the session ARN). */
  readonly roleArn: string | undefined;
  /** `sessionContext.sourceIdentity`: set at the first AssumeRole of a chain, kept through it. */
  readonly sourceIdentity: string | undefined;
  /** `sessionContext.sessionIssuer`: for a FederatedUser, the IAM user or root that called GetFederationToken. */
  readonly issuer: Fields | undefined;
  /** `onBehalfOf`: the IAM Identity Center user a call was made for. */
  readonly onBehalfOf: { readonly userId: string; readonly identityStoreArn: string | undefined } | undefined;
}

export function identityFacts(record: Fields): IdentityFacts {
  const identity = child(record, 'userIdentity');
  const context = child(identity, 'sessionContext');
  const issuer = child(context, 'sessionIssuer');
  const type = text(identity, 'type');
  const arn = text(identity, 'arn');
  const roleSession = arn === undefined ? undefined : parseRoleSessionArn(arn);
  const issuerArn = text(issuer, 'arn');
  const roleArn =
    roleSession === undefined
      ? undefined
      : text(issuer, 'type') === 'Role' && issuerArn !== undefined
        ? issuerArn
        : roleArnOf(roleSession);
  // onBehalfOf is documented on userIdentity; tolerate it inside sessionContext as well.
  const behalf = child(identity, 'onBehalfOf') ?? child(context, 'onBehalfOf');
  const userId = text(behalf, 'userId');
  return {
    type,
    arn,
    accountId: text(identity, 'accountId'),
    accessKeyId: text(identity, 'accessKeyId'),
    userName: text(identity, 'userName'),
    principalId: text(identity, 'principalId'),
    invokedBy: text(identity, 'invokedBy'),
    roleSession,
    roleArn,
    sourceIdentity: text(context, 'sourceIdentity'),
    issuer: asFields(issuer),
    onBehalfOf:
      userId === undefined ? undefined : { userId, identityStoreArn: text(behalf, 'identityStoreArn') },
  };
}
