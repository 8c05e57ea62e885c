/**
 * Applying: makes the calls of a plan, in its order, and nothing else. Each call goes through the
 * one error path (`callAws`, which PacedCloudTrail uses too), so a failure names its call and resource.
 */
import {
  AddTagsCommand,
  CreateTrailCommand,
  PutEventSelectorsCommand,
  PutInsightSelectorsCommand,
  StartLoggingCommand,
  UpdateTrailCommand,
} from '@aws-sdk/client-cloudtrail';
import {
  CreateBucketCommand,
  PutBucketEncryptionCommand,
  PutBucketPolicyCommand,
  PutPublicAccessBlockCommand,
} from '@aws-sdk/client-s3';
import { SetTopicAttributesCommand } from '@aws-sdk/client-sns';
import type { TrailContext } from './context';
import { callAws } from './errors';
import type { PlannedCall, TrailCall, TrailPlan } from './plan';

async function execute(context: TrailContext, planned: PlannedCall): Promise<void> {
  const site = { call: planned.call, resource: planned.resource, service: 'S3' } as const;
  const snsSite = { ...site, service: 'SNS' } as const;
  const { s3, sns, cloudtrail } = context;
  switch (planned.call) {
    case 'CreateBucket':
      await callAws(site, () => s3.send(new CreateBucketCommand(planned.input)));
      return;
    case 'PutPublicAccessBlock':
      await callAws(site, () => s3.send(new PutPublicAccessBlockCommand(planned.input)));
      return;
    case 'PutBucketEncryption':
      await callAws(site, () => s3.send(new PutBucketEncryptionCommand(planned.input)));
      return;
    case 'PutBucketPolicy':
      await callAws(site, () => s3.send(new PutBucketPolicyCommand(planned.input)));
      return;
    case 'SetTopicAttributes':
      await callAws(snsSite, () => sns.send(new SetTopicAttributesCommand(planned.input)));
      return;
    // CloudTrail's mutating calls are paced to its limit of one per second.
    case 'CreateTrail':
      await cloudtrail.send('write', new CreateTrailCommand(planned.input), planned.resource);
      return;
    case 'UpdateTrail':
      await cloudtrail.send('write', new UpdateTrailCommand(planned.input), planned.resource);
      return;
    case 'PutEventSelectors':
      await cloudtrail.send('write', new PutEventSelectorsCommand(planned.input), planned.resource);
      return;
    case 'PutInsightSelectors':
      await cloudtrail.send('write', new PutInsightSelectorsCommand(planned.input), planned.resource);
      return;
    case 'AddTags':
      await cloudtrail.send('write', new AddTagsCommand(planned.input), planned.resource);
      return;
    case 'StartLogging':
      await cloudtrail.send('write', new StartLoggingCommand(planned.input), planned.resource);
      return;
  }
}

/** Makes the plan's calls, in order, and returns them as made; the first failure stops it. */
export async function applyTrail(context: TrailContext, plan: TrailPlan): Promise<TrailCall[]> {
  const made: TrailCall[] = [];
  for (const planned of plan.calls) {
    await execute(context, planned);
    made.push(planned.call);
  }
  return made;
}
