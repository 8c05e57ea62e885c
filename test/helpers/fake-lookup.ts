/**
 * A local CloudTrail LookupEvents endpoint for the tests that run trailwatch and the real AWS CLI
 * side by side: a receiver script (test/helpers/receiver.ts) speaking JSON 1.1, and where the AWS CLI
 * is. The SDK and botocore send different X-Amz-Target spellings; both end in `.LookupEvents`.
 */
import { spawnSync } from 'node:child_process';
import type { Answer, Script } from './receiver';

export const AWS_CLI = process.env.AWS_CLI ?? 'aws';
export const awsCliAvailable = spawnSync(AWS_CLI, ['--version'], { stdio: 'ignore' }).status === 0;

/** Fake keys the in-process CLI signs with (stub them with vi.stubEnv, restore after). */
export const FAKE_CREDENTIALS = {
  AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'example',
} as const;

export interface LookupEventsInput {
  readonly NextToken?: string;
  readonly MaxResults?: number;
}

function json(status: number, body: unknown): Answer {
  return {
    status,
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': 'r' },
    body: JSON.stringify(body),
  };
}

/** Answers LookupEvents with `page(input)`; any other operation is refused as AWS refuses it. */
export function lookupEventsScript(page: (input: LookupEventsInput) => unknown): Script {
  return (request) => {
    if (!String(request.headers['x-amz-target']).endsWith('.LookupEvents'))
      return json(400, { __type: 'UnknownOperationException' });
    return json(200, page(JSON.parse(request.body) as LookupEventsInput));
  };
}
