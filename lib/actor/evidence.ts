/**
 * Evidence a record carries by itself, without any remembered session, one function per kind.
 * Each answers the person it names and the proof, or undefined when the record lacks that evidence.
 */
import { arnName, isIdentityCenterRole } from './arn';
import type { IdentityFacts } from './identity';
import type { Fields } from './read';
import { child, text } from './read';
import type { Person, Proof } from './types';

export interface Claim {
  readonly person: Person;
  readonly proof: Proof;
}

/** `sessionContext.sourceIdentity`: the identity set at the first AssumeRole; AWS keeps it through every chained session. */
export function sourceIdentityClaim(facts: IdentityFacts): Claim | undefined {
  const name = facts.sourceIdentity;
  if (name === undefined) return undefined;
  return {
    person: { name, arn: null, kind: 'source-identity' },
    proof: { kind: 'source-identity', detail: `sessionContext.sourceIdentity is '${name}'` },
  };
}

/**
 * `onBehalfOf`: AWS names the IAM Identity Center user a call was made for (by the `IdentityCenterUser`
 * itself, or by an application's role through trusted identity propagation). Written by AWS, not
 * chosen by the caller: it names the person even when the role's key belongs to the application.
 */
export function onBehalfOfClaim(facts: IdentityFacts): Claim | undefined {
  const behalf = facts.onBehalfOf;
  if (behalf === undefined) return undefined;
  return {
    person: { name: behalf.userId, arn: identityStoreUserArn(behalf), kind: 'identity-center-user' },
    proof: {
      kind: 'identity-center',
      detail: `onBehalfOf names Identity Center user ${behalf.userId}${behalf.identityStoreArn ? ` of ${behalf.identityStoreArn}` : ''}`,
    },
  };
}

/**
 * IAM Identity Center by name: the `IdentityCenterUser` identity type with a user name, or a session
 * of an `AWSReservedSSO_*` role, whose session name Identity Center sets to the user name (see
 * IDENTITY_CENTER_ROLE_PREFIX).
 */
export function identityCenterClaim(facts: IdentityFacts): Claim | undefined {
  if (facts.type === 'IdentityCenterUser' && facts.userName !== undefined) {
    return {
      person: { name: facts.userName, arn: null, kind: 'identity-center-user' },
      proof: { kind: 'identity-center', detail: `IdentityCenterUser identity ${facts.userName}` },
    };
  }
  const session = facts.roleSession;
  if (session !== undefined && isIdentityCenterRole(session.roleName)) {
    return {
      person: { name: session.sessionName, arn: null, kind: 'identity-center-user' },
      proof: {
        kind: 'identity-center',
        detail: `session name of Identity Center role ${session.roleName} is the Identity Center user name`,
      },
    };
  }
  return undefined;
}

/**
 * The identity store user's ARN, `arn:<partition>:identitystore:::user/<id>`
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentitystore.html).
 */
function identityStoreUserArn(behalf: { userId: string; identityStoreArn: string | undefined }): string {
  const partition = behalf.identityStoreArn?.split(':', 3)[1] || 'aws';
  return `arn:${partition}:identitystore:::user/${behalf.userId}`;
}

/**
 * The subject of an `AssumeRoleWithSAML` or `AssumeRoleWithWebIdentity` record: the caller is the
 * externally authenticated user (`SAMLUser`, `WebIdentityUser`); the response names the subject.
 * A SAML sign-in through Identity Center (an `AWSReservedSSO_*` role) is an Identity Center user.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/cloudtrail-integration.html
 */
export function federatedSubjectClaim(record: Fields, facts: IdentityFacts): Claim | undefined {
  const response = child(record, 'responseElements');
  const eventID = text(record, 'eventID');
  if (facts.type === 'SAMLUser') {
    const subject = text(response, 'subject') ?? facts.userName;
    if (subject === undefined) return undefined;
    const role = text(child(record, 'requestParameters'), 'roleArn');
    if (role !== undefined && isIdentityCenterRole(arnName(role))) {
      return {
        person: { name: subject, arn: null, kind: 'identity-center-user' },
        proof: withEvent(
          { kind: 'identity-center', detail: `Identity Center SAML sign-in of ${subject}` },
          eventID,
        ),
      };
    }
    const issuer = text(response, 'issuer') ?? facts.principalId;
    return {
      person: { name: subject, arn: null, kind: 'saml-subject' },
      proof: withEvent(
        { kind: 'saml', detail: `AssumeRoleWithSAML subject ${subject}${issuer ? ` from ${issuer}` : ''}` },
        eventID,
      ),
    };
  }
  if (facts.type === 'WebIdentityUser') {
    const subject = text(response, 'subjectFromWebIdentityToken') ?? facts.userName;
    if (subject === undefined) return undefined;
    const provider = text(response, 'provider') ?? text(child(record, 'userIdentity'), 'identityProvider');
    return {
      person: { name: subject, arn: null, kind: 'web-identity-subject' },
      proof: withEvent(
        {
          kind: 'web-identity',
          detail: `AssumeRoleWithWebIdentity subject ${subject}${provider ? ` from ${provider}` : ''}`,
        },
        eventID,
      ),
    };
  }
  return undefined;
}

/**
 * The caller is a person with long-term credentials: an IAM user, the root user, or the IAM user
 * or root that issued a `FederatedUser` session (GetFederationToken names its caller in `sessionIssuer`).
 */
export function principalClaim(facts: IdentityFacts): Claim | undefined {
  if (facts.type === 'IAMUser') {
    const name = facts.userName ?? (facts.arn === undefined ? undefined : arnName(facts.arn));
    if (name === undefined) return undefined;
    return {
      person: { name, arn: facts.arn ?? null, kind: 'iam-user' },
      proof: { kind: 'iam-user', detail: `IAM user ${name} called` },
    };
  }
  if (facts.type === 'Root') return rootClaim(facts.arn, facts.accountId, 'root user called');
  if (facts.type === 'FederatedUser') {
    const issuer = facts.issuer;
    const issuerType = text(issuer, 'type');
    const issuerArn = text(issuer, 'arn');
    const federated = facts.arn === undefined ? 'federated user' : arnName(facts.arn);
    if (issuerType === 'IAMUser') {
      const name = text(issuer, 'userName') ?? (issuerArn === undefined ? undefined : arnName(issuerArn));
      if (name === undefined) return undefined;
      return {
        person: { name, arn: issuerArn ?? null, kind: 'iam-user' },
        proof: { kind: 'iam-user', detail: `federated user ${federated} was issued by IAM user ${name}` },
      };
    }
    if (issuerType === 'Root') {
      return rootClaim(
        issuerArn,
        text(issuer, 'accountId'),
        `federated user ${federated} was issued by root`,
      );
    }
  }
  return undefined;
}

function rootClaim(arn: string | undefined, account: string | undefined, detail: string): Claim {
  return {
    person: {
      name: 'root',
      arn: arn ?? (account === undefined ? null : `arn:aws:iam::${account}:root`),
      kind: 'root',
    },
    proof: { kind: 'root', detail: account === undefined ? detail : `${detail} (account ${account})` },
  };
}

/** An AWS service acting itself (`AWSService`) or on a principal's behalf (`invokedBy`). */
export function serviceClaim(facts: IdentityFacts): Claim | undefined {
  if (facts.type !== 'AWSService' && facts.invokedBy === undefined) return undefined;
  const name = facts.invokedBy ?? 'AWS service';
  return {
    person: { name, arn: null, kind: 'aws-service' },
    proof: { kind: 'aws-service', detail: `${name} made the call` },
  };
}

export function withEvent(proof: Proof, eventID: string | undefined): Proof {
  return eventID === undefined ? proof : { ...proof, eventID };
}
