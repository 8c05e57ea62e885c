import * as z from '../validation';
import type { TrailSettings } from './desired';

/**
 * The CloudFormation custom resource protocol: CloudFormation sends Create, Update or Delete, and
 * waits for a JSON document PUT to the pre-signed ResponseURL.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-responses.html
 */
export const customResourceEventSchema = z.looseObject({
  RequestType: z.enum(['Create', 'Update', 'Delete']),
  ResponseURL: z.url(),
  StackId: z.string(),
  RequestId: z.string(),
  LogicalResourceId: z.string(),
  PhysicalResourceId: z.optional(z.string()),
  ResourceProperties: z.looseObject({
    TrailName: z.string(),
    BucketName: z.string(),
    MultiRegion: z.optional(z.string()),
    Organization: z.optional(z.string()),
    SnsTopicName: z.optional(z.string()),
    CloudWatchLogsLogGroupArn: z.optional(z.string()),
    CloudWatchLogsRoleArn: z.optional(z.string()),
  }),
});
export type CustomResourceEvent = z.infer<typeof customResourceEventSchema>;

/** CloudFormation passes every property as a string. */
const flag = (text: string | undefined, fallback: boolean): boolean =>
  text === undefined || text === '' ? fallback : text === 'true';

/**
 * The trail the stack asks for. The bucket is the stack's own (it already carries CloudTrail's
 * policy), so trailwatch does not create it; trail settings from trailwatch.yml, when present,
 * add to the stack's (selectors, insights, tags).
 */
export function trailFromProperties(event: CustomResourceEvent, fromConfig?: TrailSettings): TrailSettings {
  const p = event.ResourceProperties;
  return {
    ...(fromConfig ?? {}),
    name: p.TrailName,
    bucket: {
      name: p.BucketName,
      create: false,
      ...(fromConfig?.bucket.prefix ? { prefix: fromConfig.bucket.prefix } : {}),
    },
    multi_region: flag(p.MultiRegion, fromConfig?.multi_region ?? true),
    organization: flag(p.Organization, fromConfig?.organization ?? false),
    ...(p.SnsTopicName ? { sns_topic: p.SnsTopicName } : {}),
    ...(p.CloudWatchLogsLogGroupArn && p.CloudWatchLogsRoleArn
      ? { cloudwatch_logs: { log_group_arn: p.CloudWatchLogsLogGroupArn, role_arn: p.CloudWatchLogsRoleArn } }
      : {}),
  };
}

export interface CustomResourceResponse {
  readonly Status: 'SUCCESS' | 'FAILED';
  readonly Reason?: string;
  readonly PhysicalResourceId: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly Data?: Record<string, string>;
}

/** The Reason field is limited to 4 KB of the whole response. */
const MAX_REASON = 3000;

export function customResourceResponse(
  event: CustomResourceEvent,
  outcome: { ok: true; physicalId: string; data?: Record<string, string> } | { ok: false; reason: string },
): CustomResourceResponse {
  const base = {
    PhysicalResourceId: outcome.ok
      ? outcome.physicalId
      : (event.PhysicalResourceId ?? `trailwatch-trail-${event.ResourceProperties.TrailName}`),
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
  };
  return outcome.ok
    ? { Status: 'SUCCESS', ...base, ...(outcome.data ? { Data: outcome.data } : {}) }
    : { Status: 'FAILED', Reason: outcome.reason.slice(0, MAX_REASON), ...base };
}

/** PUTs the response; the pre-signed URL expects no content type. */
export async function sendCustomResourceResponse(
  url: string,
  response: CustomResourceResponse,
): Promise<void> {
  const body = JSON.stringify(response);
  const answer = await fetch(url, {
    method: 'PUT',
    body,
    headers: { 'content-type': '', 'content-length': String(Buffer.byteLength(body)) },
  });
  if (!answer.ok) throw new Error(`CloudFormation did not take the response: HTTP ${answer.status}`);
}
