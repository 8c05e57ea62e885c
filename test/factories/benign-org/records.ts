/**
 * CloudTrail records in the shapes AWS documents
 * (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html,
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html),
 * and the identities that make them: role sessions, AWS services and cross-account callers.
 */
import type { Random } from './random';

export type Json = Record<string, unknown>;

/** Names that read and change nothing; everything else is written with `readOnly: false`. */
const READ_PREFIXES = ['Get', 'List', 'Describe', 'Head', 'Lookup', 'BatchGet', 'Search', 'Select', 'Check'];

export interface Call {
  readonly time: number;
  readonly account: string;
  readonly region: string;
  readonly source: string;
  readonly name: string;
  readonly identity: Json;
  readonly sourceIPAddress: string;
  readonly userAgent: string;
  readonly request?: Json | null;
  readonly response?: Json | null;
  readonly additional?: Json;
  readonly readOnly?: boolean;
  readonly resources?: readonly Json[];
  readonly error?: { readonly code: string; readonly message: string };
  readonly eventType?: 'AwsApiCall' | 'AwsServiceEvent' | 'AwsConsoleSignIn';
  /** A data event (S3 object, Lambda invoke): `managementEvent: false`, category Data. */
  readonly data?: boolean;
  /** Logged in two accounts (cross-account calls): both copies share this id. */
  readonly sharedEventID?: string;
  /** Console sessions mark their calls (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html). */
  readonly fromConsole?: boolean;
  readonly serviceEventDetails?: Json;
  readonly vpcEndpointId?: string;
}

/** A stable 32-bit hash (FNV-1a), so ids derived from names do not depend on generation order. */
export function stableHash(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** Characters derived from a name: the same role has the same unique id in every record. */
export function stableId(
  name: string,
  length: number,
  alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567',
): string {
  let text = '';
  let seed = stableHash(name);
  for (let i = 0; i < length; i++) {
    seed = stableHash(`${seed}:${name}:${i}`);
    text += alphabet[seed % alphabet.length];
  }
  return text;
}

export function isoTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function isReadOnly(name: string): boolean {
  return READ_PREFIXES.some((prefix) => name.startsWith(prefix));
}

/** The endpoint a caller's SDK connects to, as `tlsDetails.clientProvidedHostHeader` shows it. */
function hostHeader(source: string, region: string): string {
  const service = source.replace('.amazonaws.com', '');
  if (['iam', 'organizations', 'cloudfront', 'route53'].includes(service)) return `${service}.amazonaws.com`;
  return `${service}.${region}.amazonaws.com`;
}

/** One CloudTrail record for a call; ids come from the seeded source. */
export function buildRecord(random: Random, call: Call): Json {
  const callerIsAws =
    call.sourceIPAddress.endsWith('.amazonaws.com') || call.sourceIPAddress === 'AWS Internal';
  const eventType = call.eventType ?? 'AwsApiCall';
  const record: Json = {
    eventVersion: eventType === 'AwsConsoleSignIn' ? '1.09' : '1.10',
    userIdentity: call.identity,
    eventTime: isoTime(call.time),
    eventSource: call.source,
    eventName: call.name,
    awsRegion: call.region,
    sourceIPAddress: call.sourceIPAddress,
    userAgent: call.userAgent,
  };
  if (call.error) {
    record.errorCode = call.error.code;
    record.errorMessage = call.error.message;
  }
  record.requestParameters = call.request ?? null;
  record.responseElements = call.response ?? null;
  if (call.additional) record.additionalEventData = call.additional;
  if (eventType === 'AwsApiCall') {
    record.requestID = call.source === 's3.amazonaws.com' ? random.s3RequestId() : random.uuid();
  }
  record.eventID = random.uuid();
  record.readOnly = call.readOnly ?? isReadOnly(call.name);
  if (call.resources) record.resources = call.resources;
  record.eventType = eventType;
  record.managementEvent = call.data !== true;
  record.recipientAccountId = call.account;
  if (call.sharedEventID) record.sharedEventID = call.sharedEventID;
  if (call.vpcEndpointId) record.vpcEndpointId = call.vpcEndpointId;
  if (call.serviceEventDetails) record.serviceEventDetails = call.serviceEventDetails;
  record.eventCategory = call.data === true ? 'Data' : 'Management';
  if (!callerIsAws && eventType === 'AwsApiCall') {
    record.tlsDetails = {
      tlsVersion: 'TLSv1.3',
      cipherSuite: 'TLS_AES_128_GCM_SHA256',
      clientProvidedHostHeader: hostHeader(call.source, call.region),
    };
  }
  if (call.fromConsole) record.sessionCredentialFromConsole = 'true';
  return record;
}

/** `{type: AWSService}`: a service acting with its own credentials (AssumeRole into a role it uses). */
export function awsService(invokedBy: string): Json {
  return { type: 'AWSService', invokedBy };
}

export interface RoleSessionSpec {
  readonly account: string;
  readonly roleName: string;
  /** The role's IAM path without leading slash: `aws-service-role/config.amazonaws.com/`, or ''. */
  readonly path?: string;
  readonly sessionName: string;
  /** When the credentials were issued (epoch ms). */
  readonly created: number;
  readonly keyId: string;
  readonly mfa?: boolean;
  /** The service calling with the session (`invokedBy`), for services acting through a role. */
  readonly invokedBy?: string;
  /** EC2 instance-profile credentials carry `ec2RoleDelivery` (IMDS version). */
  readonly ec2RoleDelivery?: '1.0' | '2.0';
  readonly webIdentity?: { readonly provider: string; readonly subject: string };
}

export class RoleSession {
  constructor(readonly spec: RoleSessionSpec) {}

  get roleArn(): string {
    return `arn:aws:iam::${this.spec.account}:role/${this.spec.path ?? ''}${this.spec.roleName}`;
  }

  get roleId(): string {
    return `AROA${stableId(this.roleArn, 17)}`;
  }

  get arn(): string {
    return `arn:aws:sts::${this.spec.account}:assumed-role/${this.spec.roleName}/${this.spec.sessionName}`;
  }

  get account(): string {
    return this.spec.account;
  }

  /**
   * The `userIdentity` of a call made with the session's credentials. A console sign-in is
   * recorded without a key (`withKey: false`), as in the Control Tower sample.
   */
  identity(withKey = true): Json {
    const { spec } = this;
    const sessionContext: Json = {
      sessionIssuer: {
        type: 'Role',
        principalId: this.roleId,
        arn: this.roleArn,
        accountId: spec.account,
        userName: spec.roleName,
      },
      webIdFederationData: spec.webIdentity
        ? {
            federatedProvider: spec.webIdentity.provider,
            attributes: {},
          }
        : {},
      attributes: { creationDate: isoTime(spec.created), mfaAuthenticated: spec.mfa ? 'true' : 'false' },
    };
    if (spec.ec2RoleDelivery) sessionContext.ec2RoleDelivery = spec.ec2RoleDelivery;
    const identity: Json = {
      type: 'AssumedRole',
      principalId: `${this.roleId}:${spec.sessionName}`,
      arn: this.arn,
      accountId: spec.account,
    };
    if (withKey) identity.accessKeyId = spec.keyId;
    identity.sessionContext = sessionContext;
    if (spec.invokedBy) identity.invokedBy = spec.invokedBy;
    return identity;
  }

  /** The credentials an STS call returned for this session (`responseElements` of AssumeRole*). */
  issued(expiresInSeconds: number): Json {
    return {
      credentials: {
        accessKeyId: this.spec.keyId,
        sessionToken: 'IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKEN',
        expiration: new Date(this.spec.created + expiresInSeconds * 1000).toUTCString().replace(/^\w+, /, ''),
      },
      assumedRoleUser: { assumedRoleId: `${this.roleId}:${this.spec.sessionName}`, arn: this.arn },
    };
  }

  /** The STS resources element of an AssumeRole into this role. */
  resources(): Json[] {
    return [{ accountId: this.spec.account, type: 'AWS::IAM::Role', ARN: this.roleArn }];
  }
}

/**
 * The target account's copy of a cross-account AssumeRole: the caller is shown as `AWSAccount`
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/cloudtrail-integration.html#stscloudtrailexample-assumerole).
 */
export function crossAccountCaller(caller: RoleSession, invokedBy?: string): Json {
  return {
    type: 'AWSAccount',
    principalId: `${caller.roleId}:${caller.spec.sessionName}`,
    accountId: caller.account,
    ...(invokedBy ? { invokedBy } : {}),
  };
}

export function accessDenied(arn: string, action: string, resource = '*'): { code: string; message: string } {
  return {
    code: 'AccessDenied',
    message: `User: ${arn} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`,
  };
}
