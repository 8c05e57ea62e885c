/**
 * A CloudTrail record as CloudTrail writes it. Known fields are typed; anything else the service adds
 * later is kept as it is (index signature), so a record can be printed back without loss.
 * Field reference: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
 */
export interface CloudTrailRecord {
  readonly eventVersion: string;
  readonly eventTime: string;
  readonly eventSource: string;
  readonly eventName: string;
  readonly awsRegion: string;
  readonly eventID: string;
  readonly userIdentity?: UserIdentity;
  readonly sourceIPAddress?: string;
  readonly userAgent?: string;
  readonly errorCode?: string;
  readonly errorMessage?: string;
  readonly requestParameters?: Record<string, unknown> | null;
  readonly responseElements?: Record<string, unknown> | null;
  readonly additionalEventData?: Record<string, unknown>;
  readonly requestID?: string;
  readonly eventType?: string;
  readonly readOnly?: boolean;
  readonly managementEvent?: boolean;
  readonly resources?: readonly Record<string, unknown>[];
  readonly recipientAccountId?: string;
  readonly sharedEventID?: string;
  readonly eventCategory?: string;
  readonly vpcEndpointId?: string;
  readonly tlsDetails?: Record<string, unknown>;
  readonly sessionCredentialFromConsole?: string;
  readonly [field: string]: unknown;
}

/**
 * `type` is a string rather than a closed union: CloudTrail adds identity types over time
 * (IdentityCenterUser, Directory, …) and an unknown one must not make a record unreadable.
 */
export interface UserIdentity {
  readonly type?: string;
  readonly principalId?: string;
  readonly arn?: string;
  readonly accountId?: string;
  readonly accessKeyId?: string;
  readonly userName?: string;
  readonly invokedBy?: string;
  readonly sessionContext?: SessionContext;
  readonly [field: string]: unknown;
}

export interface SessionContext {
  readonly sessionIssuer?: {
    readonly type?: string;
    readonly principalId?: string;
    readonly arn?: string;
    readonly accountId?: string;
    readonly userName?: string;
  };
  readonly attributes?: { readonly mfaAuthenticated?: string; readonly creationDate?: string };
  readonly sourceIdentity?: string;
  readonly [field: string]: unknown;
}

/**
 * An Insights event has no top-level eventSource/eventName: they live in insightDetails.
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-insights-fields-trails.html
 */
export interface InsightDetails {
  readonly state?: string;
  readonly eventSource?: string;
  readonly eventName?: string;
  readonly insightType?: string;
  readonly insightContext?: Record<string, unknown>;
  readonly [field: string]: unknown;
}

export const INSIGHT_EVENT_TYPE = 'AwsCloudTrailInsight';
