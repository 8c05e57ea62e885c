import type { AwsErrorFacts } from '../aws';
import { awsErrorFacts } from '../aws';
import type { ErrorLocation } from '../errors';
import { TrailwatchError } from '../errors';

/** Which AWS call failed, on which resource: what a person needs to find the problem. */
export interface AwsCallSite {
  /** The API action, as in CloudTrail's own records and IAM policies (`CreateTrail`). */
  readonly call: string;
  /** The resource the call acted on (`trail org-audit`, `bucket acme-logs`), when it has one. */
  readonly resource?: string;
  /** The service, when not CloudTrail: S3, SNS and STS answer in XML, CloudTrail in JSON. */
  readonly service?: 'S3' | 'SNS' | 'STS';
}

export interface TrailErrorDetails {
  readonly code?: string;
  readonly site?: AwsCallSite;
  readonly retryable?: boolean;
  readonly cause?: unknown;
}

/** The code of a trail error that no AWS call raised: a precondition trailwatch checks itself. */
export const TRAIL_PRECONDITION_CODE = 'trail-precondition';

/**
 * A trail problem: a failed AWS call (with its call, resource, error code and whether trying again
 * can help), or a precondition trailwatch checks before calling (no call site then; its code is
 * TRAIL_PRECONDITION_CODE). The message names the call and resource itself (`CreateTrail failed:
 * … (trail org-audit)`), so printers do not prefix the location again.
 */
export class TrailError extends TrailwatchError {
  override readonly name = 'TrailError';
  readonly site?: AwsCallSite;

  constructor(message: string, details: TrailErrorDetails = {}) {
    super(message, details.code ?? TRAIL_PRECONDITION_CODE, {
      ...(details.site === undefined ? {} : { location: siteLocation(details.site) }),
      cause: details.cause,
      retryable: details.retryable ?? false,
      locationInMessage: true,
    });
    if (details.site !== undefined) this.site = details.site;
  }
}

function siteLocation(site: AwsCallSite): ErrorLocation {
  return {
    call: site.call,
    ...(site.resource === undefined ? {} : { resource: site.resource }),
    ...(site.service === undefined ? {} : { service: site.service }),
  };
}

/** What each AWS error means, in plain words, with what to do about it. */
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
  AccessDenied: 'the credentials in use lack the permission for this call.',
  BucketAlreadyExists:
    'another AWS account owns a bucket with this name; bucket names are global: pick another.',
  InvalidLookupAttributesException:
    'the lookup attribute is not valid: one of EventId, EventName, ReadOnly, Username, ResourceType, ResourceName, EventSource, AccessKeyId, with a value.',
  InvalidTimeRangeException: 'the start time must come before the end time, within the last 90 days.',
  InvalidNextTokenException: 'the starting token is not valid: it expired, or belongs to another query.',
  InvalidMaxResultsException: 'max results must be between 1 and 50.',
  InvalidEventCategoryException: 'the only event category LookupEvents takes is insight.',
};

function explanation(site: AwsCallSite, facts: AwsErrorFacts): string {
  const { code, message, kind } = facts;
  const known = EXPLANATIONS[code];
  if (known) return known;
  if (kind === 'endpoint')
    return `the endpoint did not answer with ${site.service ? `${site.service}'s XML` : "CloudTrail's JSON"} (${message.split('\n')[0]}${facts.httpStatus === undefined ? '' : `; HTTP ${facts.httpStatus}`}): check --endpoint-url; emulators such as moto_server lack some calls, LookupEvents among them.`;
  if (/Throttl/.test(code))
    return 'CloudTrail is throttling calls even after retries; try again in a minute.';
  // The SDK's message, or the code alone where the service sent none (S3 HEAD answers have no body).
  return message && message !== code
    ? message
    : kind === 'transient'
      ? 'the service failed; try again.'
      : code;
}

/**
 * The one way an AWS failure becomes a trail error: `CreateTrail failed: <code>: <what it means>
 * (trail org-audit)`, with the call site, the code and whether it is retryable as fields.
 */
export function trailErrorFromAws(error: unknown, site: AwsCallSite): TrailError {
  if (error instanceof TrailError) return error;
  const facts = awsErrorFacts(error);
  const where = [site.resource, facts.retryable ? 'retryable' : undefined].filter(Boolean).join('; ');
  return new TrailError(
    `${site.call} failed: ${facts.code}: ${explanation(site, facts)}${where ? ` (${where})` : ''}`,
    { code: facts.code, site, retryable: facts.retryable, cause: error },
  );
}

/**
 * Every AWS call trailwatch's trail code makes goes through here (CloudTrail's through
 * PacedCloudTrail, which adds pacing): a failure leaves as a TrailError naming the call and resource.
 */
export async function callAws<Output>(site: AwsCallSite, send: () => Promise<Output>): Promise<Output> {
  try {
    return await send();
  } catch (error) {
    throw trailErrorFromAws(error, site);
  }
}
