/**
 * The benign organisation: its accounts, regions and people, and the trail its activity is written
 * to. Everything here is invented (documentation IP ranges, example.com people), shaped as AWS
 * Organizations with Control Tower and IAM Identity Center lay an organisation out.
 */

import { Random } from './random';
import type { Call, Json, RoleSessionSpec } from './records';
import { awsService, buildRecord, RoleSession } from './records';

export const ORG_ID = 'o-k3b9x2m7qd';
/** Control Tower's home region: Identity Center, the organization trail and global-service events. */
export const HOME_REGION = 'us-east-1';
/** The regions Control Tower governs: Config, GuardDuty and Security Hub run in each. */
export const GOVERNED_REGIONS = ['us-east-1', 'eu-west-1', 'eu-central-1'] as const;
/** Where the workloads run. */
export const WORKLOAD_REGIONS = ['us-east-1', 'eu-west-1'] as const;

export const ACCOUNTS = {
  management: '111122223333',
  /** Control Tower's Audit account: delegated administrator of GuardDuty and Security Hub, backup vault. */
  audit: '444455556666',
  prod: '777788889999',
  dev: '555566667777',
} as const;
export type AccountName = keyof typeof ACCOUNTS;
export const MEMBER_ACCOUNTS = [ACCOUNTS.audit, ACCOUNTS.prod, ACCOUNTS.dev] as const;
export const ALL_ACCOUNTS = [ACCOUNTS.management, ...MEMBER_ACCOUNTS] as const;

/** Identity Center's store and the SAML provider it creates in every account it provisions. */
export const IDENTITY_STORE = 'd-9067a1b2c3';
export const SSO_SAML_PROVIDER = 'AWSSSO_4c8a1e3f9b2d7e60_DO_NOT_DELETE';

/** A console browser and the AWS CLI as engineers run them. */
export const BROWSER_AGENT =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36';
export const CLI_AGENT =
  'aws-cli/2.18.4 md/awscrt#0.22.0 ua/2.0 os/macos#23.6.0 md/arch#arm64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#source md/prompt#off';

export interface Person {
  readonly email: string;
  /** Egress address of the office the person works from. */
  readonly ip: string;
  /** Their home connection: some days they work from home. */
  readonly homeIp: string;
  /** Permission set per account the person uses (Identity Center role name prefix). */
  readonly access: Readonly<Partial<Record<AccountName, PermissionSet>>>;
  /** Works from the console, the CLI, or both. */
  readonly cli: boolean;
}

export type PermissionSet = 'ReadOnlyAccess' | 'PowerUserAccess' | 'SecurityAudit' | 'Billing';

export const PEOPLE: readonly Person[] = [
  {
    email: 'maria.garcia@example.com',
    ip: '203.0.113.24',
    homeIp: '198.51.100.201',
    access: { dev: 'PowerUserAccess', prod: 'ReadOnlyAccess', management: 'ReadOnlyAccess' },
    cli: true,
  },
  {
    email: 'li.wei@example.com',
    ip: '203.0.113.57',
    homeIp: '192.0.2.45',
    access: { dev: 'PowerUserAccess', prod: 'ReadOnlyAccess' },
    cli: true,
  },
  {
    email: 'sam.okafor@example.com',
    ip: '198.51.100.73',
    homeIp: '198.51.100.160',
    access: { dev: 'PowerUserAccess' },
    cli: false,
  },
  {
    email: 'priya.nair@example.com',
    ip: '203.0.113.88',
    homeIp: '192.0.2.118',
    access: { audit: 'SecurityAudit', prod: 'SecurityAudit' },
    cli: false,
  },
  {
    email: 'tom.becker@example.com',
    ip: '198.51.100.19',
    homeIp: '198.51.100.87',
    access: { management: 'Billing' },
    cli: false,
  },
];

/** The Identity Center role of a permission set in an account, as Identity Center names it. */
export function ssoRoleName(permissionSet: string, account: string): string {
  return `AWSReservedSSO_${permissionSet}_${stableSsoSuffix(permissionSet, account)}`;
}

function stableSsoSuffix(permissionSet: string, account: string): string {
  let hash = 0x811c9dc5;
  for (const char of `${permissionSet}/${account}`)
    hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193) >>> 0;
  let hash2 = Math.imul(hash ^ 0x5bd1e995, 0x01000193) >>> 0;
  hash2 ^= hash2 >>> 13;
  return (hash.toString(16).padStart(8, '0') + (hash2 >>> 0).toString(16).padStart(8, '0')).slice(0, 16);
}

/** Who makes a call and from where: the parts of a record that stay the same for a session. */
export interface Caller {
  readonly account: string;
  readonly identity: Json;
  readonly sourceIPAddress: string;
  readonly userAgent: string;
  readonly fromConsole?: boolean;
  readonly vpcEndpointId?: string;
}

/** A role session calling from an address with an agent; AWS services call from their own name. */
export function caller(
  session: RoleSession,
  sourceIPAddress: string,
  userAgent: string,
  fromConsole = false,
): Caller {
  return { account: session.account, identity: session.identity(), sourceIPAddress, userAgent, fromConsole };
}

/** A service acting through a role (`invokedBy`): it calls from, and as, its own name. */
export function serviceCaller(session: RoleSession): Caller {
  const service = session.spec.invokedBy ?? 'AWS Internal';
  return {
    account: session.account,
    identity: session.identity(),
    sourceIPAddress: service,
    userAgent: service,
  };
}

/** One day of the week being generated. */
export interface Day {
  readonly index: number;
  /** 00:00 UTC of the day, epoch ms. */
  readonly start: number;
  /** Monday to Friday: people work and CI deploys. */
  readonly workday: boolean;
}

export const HOUR_MS = 3_600_000;
export const MINUTE_MS = 60_000;

/** Everything the organisation did, as records, in the order generated (not time order). */
export class OrgTrail {
  readonly records: Json[] = [];
  readonly random: Random;

  constructor(seed: number) {
    this.random = new Random(seed);
  }

  emit(call: Call): void {
    this.records.push(buildRecord(this.random, call));
  }

  /** A call by a caller: the common envelope comes from the caller, the rest from `details`. */
  call(
    caller: Caller,
    time: number,
    region: string,
    source: string,
    name: string,
    details: Partial<Omit<Call, 'time' | 'region' | 'source' | 'name'>> = {},
  ): void {
    this.emit({
      account: caller.account,
      identity: caller.identity,
      sourceIPAddress: caller.sourceIPAddress,
      userAgent: caller.userAgent,
      ...(caller.fromConsole ? { fromConsole: true } : {}),
      ...(caller.vpcEndpointId ? { vpcEndpointId: caller.vpcEndpointId } : {}),
      ...details,
      time,
      region,
      source,
      name,
    });
  }

  session(spec: Omit<RoleSessionSpec, 'keyId'>): RoleSession {
    return new RoleSession({ ...spec, keyId: this.random.sessionKeyId() });
  }

  /** A moment within the day: hour and minute plus some seconds of jitter. */
  at(day: Day, hour: number, minute = 0): number {
    return day.start + hour * HOUR_MS + minute * MINUTE_MS + this.random.int(0, 59_999);
  }

  /**
   * An AWS service assuming a role it was given (execution roles, service roles): logged in the
   * role's account with `userIdentity.type: AWSService`.
   */
  serviceAssumes(service: string, session: RoleSession, region: string, durationSeconds = 3600): void {
    this.emit({
      time: session.spec.created,
      account: session.account,
      region,
      source: 'sts.amazonaws.com',
      name: 'AssumeRole',
      identity: awsService(service),
      sourceIPAddress: service,
      userAgent: service,
      request: { roleArn: session.roleArn, roleSessionName: session.spec.sessionName, durationSeconds },
      response: session.issued(durationSeconds),
      readOnly: true,
      resources: session.resources(),
      sharedEventID: this.random.uuid(),
    });
  }

  /** A service-linked role's session (`aws-service-role/SERVICE/AWSServiceRoleFor…`), acting for its service. */
  serviceLinked(
    account: string,
    service: string,
    roleName: string,
    sessionName: string,
    created: number,
  ): RoleSession {
    return this.session({
      account,
      roleName,
      path: `aws-service-role/${service}/`,
      sessionName,
      created,
      invokedBy: service,
    });
  }
}
