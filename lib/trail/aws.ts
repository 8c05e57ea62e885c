import type { CloudTrailClient } from '@aws-sdk/client-cloudtrail';

/**
 * CloudTrail's control-plane rate limits: about 1 mutating call and 10 read calls per second
 * per account and region; beyond them it answers ThrottlingException.
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/WhatIsCloudTrail-Limits.html
 */
export const WRITE_INTERVAL_MS = 1000;
export const READ_INTERVAL_MS = 100;
/**
 * LookupEvents has its own, lower limit: 2 requests per second per account and region.
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/view-cloudtrail-events.html
 */
export const LOOKUP_INTERVAL_MS = 500;
export const THROTTLE_ATTEMPTS = 5;

export type CallKind = 'read' | 'write' | 'lookup';
const INTERVAL_MS: Readonly<Record<CallKind, number>> = {
  read: READ_INTERVAL_MS,
  write: WRITE_INTERVAL_MS,
  lookup: LOOKUP_INTERVAL_MS,
};
/** Any CloudTrail command; the client's overloaded send is typed per command, which a generic wrapper cannot name. */
type Sendable = object;

export interface PacingOptions {
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
}

/** Sends CloudTrail calls no faster than the limits allow, retrying throttled ones with backoff. */
export class PacedCloudTrail {
  private readonly last: Record<CallKind, number> = {
    read: Number.NEGATIVE_INFINITY,
    write: Number.NEGATIVE_INFINITY,
    lookup: Number.NEGATIVE_INFINITY,
  };
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;
  /** Every call made, in order, by API name: what `apply` reports and tests check. */
  readonly calls: string[] = [];

  constructor(
    readonly client: CloudTrailClient,
    options: PacingOptions = {},
  ) {
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.now = options.now ?? Date.now;
  }

  async send<Output>(kind: CallKind, command: Sendable): Promise<Output> {
    // Bundlers may suffix class names to keep them unique (`LookupEventsCommand2`).
    const name = command.constructor.name.replace(/Command\d*$/, '');
    for (let attempt = 1; ; attempt++) {
      const wait = this.last[kind] + INTERVAL_MS[kind] - this.now();
      if (wait > 0) await this.sleep(wait);
      this.last[kind] = this.now();
      this.calls.push(name);
      try {
        const send = this.client.send.bind(this.client) as (command: Sendable) => Promise<unknown>;
        return (await send(command)) as Output;
      } catch (error) {
        const throttled = error instanceof Error && /Throttl/.test(error.name);
        if (!throttled || attempt >= THROTTLE_ATTEMPTS) throw explainAwsError(error, name);
        await this.sleep(Math.min(8000, 500 * 2 ** (attempt - 1)));
      }
    }
  }
}

export class TrailError extends Error {
  override readonly name = 'TrailError';
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

/** What each CloudTrail error means, in plain words, with what to do about it. */
const EXPLANATIONS: Readonly<Record<string, string>> = {
  InsufficientS3BucketPolicyException:
    'CloudTrail may not write to the bucket: its policy must let cloudtrail.amazonaws.com call s3:GetBucketAcl and s3:PutObject (with aws:SourceArn set to the trail). Set bucket.create: true to let trailwatch write that policy, or add it yourself.',
  InsufficientSnsTopicPolicyException:
    'CloudTrail may not publish to the SNS topic: its policy must let cloudtrail.amazonaws.com call sns:Publish.',
  TrailAlreadyExistsException:
    'a trail with this name already exists (perhaps in another region of the account); pick another name or manage that one.',
  MaximumNumberOfTrailsExceededException:
    'this region already has 5 trails, the most CloudTrail allows; delete one or reuse an existing trail.',
  TrailNotFoundException: 'no trail with this name exists in this region.',
  InsufficientEncryptionPolicyException:
    "the KMS key's policy must let cloudtrail.amazonaws.com use it (kms:GenerateDataKey*, kms:DescribeKey).",
  KmsKeyNotFoundException: 'the KMS key does not exist, or is in another region than the trail.',
  KmsKeyDisabledException: 'the KMS key is disabled: enable it or use another.',
  KmsException:
    'KMS refused the key: check that it exists, is enabled, and that its policy lets CloudTrail use it.',
  InvalidCloudWatchLogsLogGroupArnException:
    'the CloudWatch Logs group ARN is not valid: it must end with :*.',
  InvalidCloudWatchLogsRoleArnException:
    'the role for CloudWatch Logs is not valid, or CloudTrail may not assume it.',
  InvalidTrailNameException: 'the trail name is not valid (3 to 128 letters, digits, ., _ and -).',
  InvalidEventSelectorsException:
    'the event selectors are not valid (at most 5 selectors and 250 data resources).',
  OrganizationsNotInUseException: 'an organization trail needs AWS Organizations with all features enabled.',
  NotOrganizationMasterAccountException:
    'only the organization management account (or a delegated administrator) can manage an organization trail.',
  CloudTrailAccessNotEnabledException: 'trusted access for CloudTrail is not enabled in AWS Organizations.',
  AccessDeniedException: 'the credentials in use lack the permission for this call.',
  InvalidLookupAttributesException:
    'the lookup attribute is not valid: one of EventId, EventName, ReadOnly, Username, ResourceType, ResourceName, EventSource, AccessKeyId, with a value.',
  InvalidTimeRangeException: 'the start time must come before the end time, within the last 90 days.',
  InvalidNextTokenException: 'the starting token is not valid: it expired, or belongs to another query.',
  InvalidMaxResultsException: 'max results must be between 1 and 50.',
  InvalidEventCategoryException: 'the only event category LookupEvents takes is insight.',
};

export function explainAwsError(error: unknown, call: string): TrailError {
  if (error instanceof TrailError) return error;
  const name = error instanceof Error ? error.name : 'Error';
  const message = error instanceof Error ? error.message : String(error);
  const explained =
    EXPLANATIONS[name] ??
    (/Deserialization error|is not valid JSON/.test(message)
      ? `the endpoint did not answer with CloudTrail's JSON (${message.split('\n')[0]}): check --endpoint-url; emulators such as moto_server lack some calls, LookupEvents among them.`
      : undefined) ??
    (/Throttl/.test(name)
      ? 'CloudTrail is throttling calls even after retries; try again in a minute.'
      : undefined);
  return new TrailError(`${call} failed: ${name}${explained ? `: ${explained}` : `: ${message}`}`, name);
}
