/**
 * The fields a CloudTrail record can hold, so that a rule naming one that cannot exist (a typo, a
 * wrong case, a field from another log source) is refused instead of silently never matching.
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html
 * Subtrees whose content depends on the service (requestParameters, …) are open: any path below them.
 */
type FieldTree = { readonly [field: string]: FieldTree | 'open' | 'leaf' };

const SESSION_CONTEXT: FieldTree = {
  attributes: { creationDate: 'leaf', mfaAuthenticated: 'leaf' },
  sessionIssuer: { type: 'leaf', principalId: 'leaf', arn: 'leaf', accountId: 'leaf', userName: 'leaf' },
  webIdFederationData: { federatedProvider: 'leaf', attributes: 'open' },
  sourceIdentity: 'leaf',
  ec2RoleDelivery: 'leaf',
  ec2IssuedInVPC: 'leaf',
  assumedRoot: 'leaf',
};

const USER_IDENTITY: FieldTree = {
  type: 'leaf',
  principalId: 'leaf',
  arn: 'leaf',
  accountId: 'leaf',
  accessKeyId: 'leaf',
  userName: 'leaf',
  invokedBy: 'leaf',
  identityProvider: 'leaf',
  credentialId: 'leaf',
  sessionContext: SESSION_CONTEXT,
  onBehalfOf: { userId: 'leaf', identityStoreArn: 'leaf' },
  inScopeOf: 'open',
};

/**
 * trailwatch's own namespace: the person behind the record, resolved from the evidence (see
 * lib/actor). Not in the record's text, so no rule literal on it is looked for in the raw JSON.
 */
export const ACTOR_NAMESPACE = 'actor';
const ACTOR: FieldTree = {
  person: { name: 'leaf', arn: 'leaf', kind: 'leaf' },
  via: 'leaf',
  session: 'leaf',
  sessionName: 'leaf',
  interface: 'leaf',
  proof: { kind: 'leaf', detail: 'leaf', eventID: 'leaf' },
};

/** True for a field path in the actor namespace (`actor.person.name`). */
export function isActorField(path: string): boolean {
  return path === ACTOR_NAMESPACE || path.startsWith(`${ACTOR_NAMESPACE}.`);
}

export const CLOUDTRAIL_FIELDS: FieldTree = {
  [ACTOR_NAMESPACE]: ACTOR,
  eventVersion: 'leaf',
  userIdentity: USER_IDENTITY,
  eventTime: 'leaf',
  eventSource: 'leaf',
  eventName: 'leaf',
  awsRegion: 'leaf',
  sourceIPAddress: 'leaf',
  userAgent: 'leaf',
  errorCode: 'leaf',
  errorMessage: 'leaf',
  requestParameters: 'open',
  responseElements: 'open',
  additionalEventData: 'open',
  requestID: 'leaf',
  eventID: 'leaf',
  readOnly: 'leaf',
  resources: { ARN: 'leaf', accountId: 'leaf', type: 'leaf', arn: 'leaf' },
  eventType: 'leaf',
  apiVersion: 'leaf',
  managementEvent: 'leaf',
  recipientAccountId: 'leaf',
  serviceEventDetails: 'open',
  sharedEventID: 'leaf',
  vpcEndpointId: 'leaf',
  vpcEndpointAccountId: 'leaf',
  eventCategory: 'leaf',
  addendum: 'open',
  sessionCredentialFromConsole: 'leaf',
  edgeDeviceDetails: 'open',
  tlsDetails: { tlsVersion: 'leaf', cipherSuite: 'leaf', clientProvidedHostHeader: 'leaf' },
  insightDetails: 'open',
};

/** Why a field path cannot exist in a CloudTrail record, or undefined when it can. */
export function fieldPathProblem(path: string): string | undefined {
  let node: FieldTree | 'open' | 'leaf' = CLOUDTRAIL_FIELDS;
  const segments = path.split('.');
  for (const [index, segment] of segments.entries()) {
    if (node === 'open') return undefined;
    const here = segments.slice(0, index).join('.');
    if (node === 'leaf')
      return `field '${path}' cannot exist in a CloudTrail record: '${here}' holds a value, not fields`;
    // Own keys only: `toString` or `constructor` is no CloudTrail field, whatever Object.prototype holds.
    const child: FieldTree | 'open' | 'leaf' | undefined = Object.hasOwn(node, segment)
      ? node[segment]
      : undefined;
    if (child === undefined) {
      const near = Object.keys(node).find((known) => known.toLowerCase() === segment.toLowerCase());
      const where = here === '' ? 'at the top of a CloudTrail record' : `under '${here}'`;
      const hint = near ? ` (did you mean '${[...segments.slice(0, index), near].join('.')}'?)` : '';
      return `field '${path}' cannot exist in a CloudTrail record: no '${segment}' ${where}${hint}`;
    }
    node = child;
  }
  return undefined;
}
