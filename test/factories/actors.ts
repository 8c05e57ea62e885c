import type { Actor } from '../../lib/actor/types';

/** Actors as the resolver gives them, built by hand from the documented shapes (lib/actor/types.ts). */

export const ADMIN_ROLE = 'arn:aws:iam::111111111111:role/Admin';
export const ORG_ADMIN_ROLE = 'arn:aws:iam::222222222222:role/OrgAdmin';

/** alice signed in as an IAM user, assumed Admin, then chained into OrgAdmin in another account. */
export const ALICE_VIA_CHAIN: Actor = {
  person: { name: 'alice', arn: 'arn:aws:iam::111111111111:user/alice', kind: 'iam-user' },
  via: [ADMIN_ROLE, ORG_ADMIN_ROLE],
  session: 'ASIAALICE0000001234',
  interface: 'console',
  proof: {
    kind: 'access-key',
    detail: 'access key ASIA…1234 from AssumeRole 7d1e2f3a-0000-4000-8000-000000000001',
    eventID: '7d1e2f3a-0000-4000-8000-000000000001',
  },
  sessionName: 'deploy',
};

/** bob through the same role and session name as alice: only the evidence tells them apart. */
export const BOB_VIA_ADMIN: Actor = {
  person: { name: 'bob', arn: 'arn:aws:iam::111111111111:user/bob', kind: 'iam-user' },
  via: [ADMIN_ROLE],
  session: 'ASIABOB00000005678',
  interface: 'cli',
  proof: {
    kind: 'access-key',
    detail: 'access key ASIA…5678 from AssumeRole 9a8b7c6d-0000-4000-8000-000000000002',
    eventID: '9a8b7c6d-0000-4000-8000-000000000002',
  },
  sessionName: 'deploy',
};

/** The AssumeRole happened before the data: the role and session name are all there is. */
export const UNKNOWN_ADMIN: Actor = {
  person: { name: null, arn: null, kind: 'unknown' },
  via: [ADMIN_ROLE],
  session: 'ASIAUNKNOWN000009999',
  interface: 'cli',
  proof: { kind: 'none', detail: 'no session start seen for access key ASIA…9999' },
  sessionName: 'deploy',
};

/** An AWS service acting on its own. */
export const CLOUDFORMATION: Actor = {
  person: { name: 'cloudformation.amazonaws.com', arn: null, kind: 'aws-service' },
  via: [],
  session: null,
  interface: 'service',
  proof: {
    kind: 'aws-service',
    detail: 'userIdentity.type AWSService, invokedBy cloudformation.amazonaws.com',
  },
};

/** A person named by whoever wrote the SAML assertion or set the source identity: anything at all. */
export function namedActor(name: string, sessionName = 'deploy'): Actor {
  return {
    person: { name, arn: null, kind: 'saml-subject' },
    via: [ADMIN_ROLE],
    session: `session-${name.length}`,
    interface: 'console',
    proof: { kind: 'saml', detail: `SAML subject ${name} from AssumeRoleWithSAML` },
    sessionName,
  };
}
