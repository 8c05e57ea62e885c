import type { CloudTrailClient } from '@aws-sdk/client-cloudtrail';

/**
 * CloudTrail's control-plane rate limits: about 1 mutating call and 10 read calls per second
 * per account and region; beyond them it answers ThrottlingException.
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/WhatIsCloudTrail-Limits.html
 */
export const WRITE_INTERVAL_MS = 1000;
export const READ_INTERVAL_MS = 100;
/**
 * LookupEvents has its own, lower limit: "The rate of lookup requests is limited to two per second,
 * per account, per Region. If this limit is exceeded, a throttling error occurs."
 * https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html
 */
export const LOOKUP_INTERVAL_MS = 500;
/**
 * The limit is counted where requests arrive, and we only choose when they leave: a request held up
 * on its way (a new connection, a busy event loop) lands closer to the next one than it left. Spacing
 * lookups this much more than the limit keeps any three arrivals more than 1 s apart unless one of
 * them is delayed by over twice this margin.
 */
export const ARRIVAL_MARGIN_MS = 50;
/** The spacing between two LookupEvents requests, retries included. */
export const LOOKUP_SPACING_MS = LOOKUP_INTERVAL_MS + ARRIVAL_MARGIN_MS;
export const THROTTLE_ATTEMPTS = 5;

export type CallKind = 'read' | 'write' | 'lookup';
const INTERVAL_MS: Readonly<Record<CallKind, number>> = {
  read: READ_INTERVAL_MS,
  write: WRITE_INTERVAL_MS,
  lookup: LOOKUP_SPACING_MS,
};
/** A middleware for any step, generic so it fits the SDK's typed `finalizeRequest` slot. */
type PacingMiddleware = <Args, Result>(
  next: (args: Args) => Promise<Result>,
) => (args: Args) => Promise<Result>;
/**
 * Any CloudTrail command: what the pacer needs of it. The client's `send` is overloaded per command,
 * which a generic wrapper cannot name, hence the structural type.
 */
interface CloudTrailCommand {
  readonly middlewareStack: {
    addRelativeTo(
      middleware: PacingMiddleware,
      options: { relation: 'after'; toMiddleware: string; name: string; override: boolean },
    ): void;
  };
}
/** The SDK's retry middleware, which repeats the HTTP attempt inside one `client.send`. */
const SDK_RETRY_MIDDLEWARE = 'retryMiddleware';
const PACING_MIDDLEWARE = 'trailwatchPacing';

export interface PacingOptions {
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
}

/**
 * Sends CloudTrail calls no faster than the limits allow, retrying throttled ones with backoff.
 *
 * Every HTTP attempt is paced, not only each `send`: the SDK retries throttled and failed requests by
 * itself (3 attempts by default), and those retries used to go out at once, so `lookup --all`
 * reached 5 requests per second against an endpoint throttling above 2. A middleware placed after
 * the SDK's retry middleware waits for the pacer before every attempt after the first; the first is
 * paced here in `send`, which also covers clients whose `send` is replaced (tests' mocks).
 */
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
  /** HTTP attempts the SDK retried by itself, paced by the middleware: counted for the tests. */
  sdkRetries = 0;

  constructor(
    readonly client: CloudTrailClient,
    options: PacingOptions = {},
  ) {
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    // Monotonic: a wall-clock step (NTP) must neither stall the pacer nor let a burst through.
    this.now = options.now ?? (() => performance.now());
  }

  /**
   * Waits until a call of this kind may leave, and at least `backoff` ms. The slot is reserved before
   * waiting, so calls made concurrently (several reads at once, an SDK retry beside a new call) queue
   * one interval apart instead of all leaving when the same wait ends.
   */
  private async pace(kind: CallKind, backoff = 0): Promise<void> {
    const now = this.now();
    const wait = Math.max(this.last[kind] + INTERVAL_MS[kind] - now, backoff);
    this.last[kind] = now + Math.max(0, wait);
    if (wait > 0) await this.sleep(wait);
  }

  async send<Output>(kind: CallKind, command: CloudTrailCommand): Promise<Output> {
    // Bundlers may suffix class names to keep them unique (`LookupEventsCommand2`).
    const name = command.constructor.name.replace(/Command\d*$/, '');
    let backoff = 0;
    for (let attempt = 1; ; attempt++) {
      await this.pace(kind, backoff);
      this.calls.push(name);
      this.paceSdkRetries(kind, command);
      try {
        const send = this.client.send.bind(this.client) as (command: CloudTrailCommand) => Promise<unknown>;
        return (await send(command)) as Output;
      } catch (error) {
        const throttled = error instanceof Error && /Throttl/.test(error.name);
        if (!throttled || attempt >= THROTTLE_ATTEMPTS) throw explainAwsError(error, name);
        backoff = Math.min(8000, 500 * 2 ** (attempt - 1));
      }
    }
  }

  /** Makes each HTTP attempt of this `client.send` after the first (the SDK's retries) wait its turn. */
  private paceSdkRetries(kind: CallKind, command: CloudTrailCommand): void {
    let attempts = 0;
    const middleware: PacingMiddleware = (next) => async (args) => {
      attempts++;
      if (attempts > 1) {
        this.sdkRetries++;
        await this.pace(kind);
      }
      return next(args);
    };
    command.middlewareStack.addRelativeTo(
      middleware,
      // Inside the retry loop, so it runs once per attempt; `override` replaces the one added by an
      // earlier `send` of the same command object.
      { relation: 'after', toMiddleware: SDK_RETRY_MIDDLEWARE, name: PACING_MIDDLEWARE, override: true },
    );
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
