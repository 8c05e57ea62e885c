import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { lookupEvents } from '../../lib/history';
import { PacedCloudTrail } from '../../lib/trail';
import { runCli } from '../helpers/cli';

/**
 * LookupEvents' documented limit: "two per second, per account, per Region. If this limit is
 * exceeded, a throttling error occurs."
 * https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html
 */
const LIMIT_PER_WINDOW = 2;
const WINDOW_MS = 1000;
/** The JS SDK sends the short target, botocore (the AWS CLI) the one with the model's namespace. */
const LOOKUP_TARGETS = new Set([
  'CloudTrail_20131101.LookupEvents',
  'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents',
]);
const PAGE_SIZE = 5;
const PAGES = 3;

/**
 * CloudTrail's LookupEvents over the JSON 1.1 protocol, on 127.0.0.1: `PAGES` pages of `PAGE_SIZE`
 * events chained by NextToken, a ThrottlingException for any request that makes more than 2 arrivals
 * in a 1 s window, and, when asked, a throttle for the first attempt at chosen pages (a neighbour
 * spending the account's budget), which makes the SDK retry by itself.
 */
class FakeLookupEndpoint {
  readonly arrivals: number[] = [];
  rateThrottled = 0;
  forcedThrottles = 0;
  /** Pages (by NextToken, '' for the first) whose first attempt is throttled whatever the rate. */
  throttleFirstAttemptOf = new Set<string>();
  private readonly attempted = new Set<string>();
  private server: Server | undefined;

  async start(): Promise<string> {
    this.server = createServer((request, response) => void this.answer(request, response));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  reset(): void {
    this.arrivals.length = 0;
    this.rateThrottled = 0;
    this.forcedThrottles = 0;
    this.throttleFirstAttemptOf = new Set();
    this.attempted.clear();
  }

  /** The most arrivals any window of `WINDOW_MS` holds, start inclusive, end exclusive. */
  busiestWindow(): number {
    let most = 0;
    for (let i = 0; i < this.arrivals.length; i++) {
      let count = 0;
      for (
        let j = i;
        j < this.arrivals.length && (this.arrivals[j] ?? 0) - (this.arrivals[i] ?? 0) < WINDOW_MS;
        j++
      ) {
        count++;
      }
      most = Math.max(most, count);
    }
    return most;
  }

  private async answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const arrived = performance.now();
    this.arrivals.push(arrived);
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    if (!LOOKUP_TARGETS.has(String(request.headers['x-amz-target']))) {
      return this.reply(response, 400, { __type: 'UnknownOperationException' });
    }
    const input = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
      NextToken?: string;
      MaxResults?: number;
    };
    const inWindow = this.arrivals.filter((time) => time > arrived - WINDOW_MS).length;
    if (inWindow > LIMIT_PER_WINDOW) {
      this.rateThrottled++;
      return this.reply(response, 400, { __type: 'ThrottlingException', message: 'Rate exceeded' });
    }
    const page = input.NextToken === undefined ? 0 : Number(input.NextToken.replace('page-', ''));
    const key = input.NextToken ?? '';
    if (this.throttleFirstAttemptOf.has(key) && !this.attempted.has(key)) {
      this.attempted.add(key);
      this.forcedThrottles++;
      return this.reply(response, 400, { __type: 'ThrottlingException', message: 'Rate exceeded' });
    }
    const size = input.MaxResults ?? 50;
    const events = Array.from({ length: size }, (_, i) => {
      const id = `00000000-0000-4000-8000-${String(page * size + i).padStart(12, '0')}`;
      const record = {
        eventVersion: '1.09',
        eventTime: '2026-11-22T12:00:00Z',
        eventSource: 'iam.amazonaws.com',
        eventName: 'ListUsers',
        awsRegion: 'us-east-1',
        eventID: id,
        readOnly: true,
        userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/alice' },
      };
      return {
        EventId: id,
        EventName: 'ListUsers',
        ReadOnly: 'true',
        EventTime: Date.parse('2026-11-22T12:00:00Z') / 1000,
        EventSource: 'iam.amazonaws.com',
        Username: 'alice',
        CloudTrailEvent: JSON.stringify(record),
      };
    });
    const next = page + 1 < PAGES ? { NextToken: `page-${page + 1}` } : {};
    return this.reply(response, 200, { Events: events, ...next });
  }

  private reply(response: ServerResponse, status: number, body: unknown): void {
    response.writeHead(status, {
      'content-type': 'application/x-amz-json-1.1',
      'x-amzn-requestid': `req-${this.arrivals.length}`,
    });
    response.end(JSON.stringify(body));
  }
}

const endpoint = new FakeLookupEndpoint();
let url = '';

beforeAll(async () => {
  url = await endpoint.start();
});
afterAll(async () => endpoint.stop());
beforeEach(() => endpoint.reset());

function client(): CloudTrailClient {
  return new CloudTrailClient({
    region: 'us-east-1',
    endpoint: url,
    credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'example' },
  });
}

describe('LookupEvents pacing against an endpoint that throttles above 2 requests per second', () => {
  it('follows every page with no 1 s window holding more than 2 requests', async () => {
    const cloudtrail = client();
    try {
      const result = await lookupEvents(new PacedCloudTrail(cloudtrail), { pageSize: PAGE_SIZE });
      expect(result.events).toHaveLength(PAGES * PAGE_SIZE);
      expect(new Set(result.events.map((event) => event.EventId)).size).toBe(PAGES * PAGE_SIZE);
      expect(result.calls).toBe(PAGES);
    } finally {
      cloudtrail.destroy();
    }
    expect(endpoint.arrivals).toHaveLength(PAGES);
    expect(endpoint.busiestWindow()).toBeLessThanOrEqual(LIMIT_PER_WINDOW);
    expect(endpoint.rateThrottled).toBe(0);
  });

  it("paces the SDK's own retries too: throttled attempts retried by the client stay within the limit", async () => {
    endpoint.throttleFirstAttemptOf = new Set(['page-1', 'page-2']);
    const cloudtrail = client();
    const paced = new PacedCloudTrail(cloudtrail);
    try {
      const result = await lookupEvents(paced, { pageSize: PAGE_SIZE });
      expect(result.events).toHaveLength(PAGES * PAGE_SIZE);
    } finally {
      cloudtrail.destroy();
    }
    expect({ busiestWindow: endpoint.busiestWindow(), rateThrottled: endpoint.rateThrottled }).toEqual({
      busiestWindow: LIMIT_PER_WINDOW,
      rateThrottled: 0,
    });
    expect(endpoint.forcedThrottles).toBe(2);
    // The two throttled pages were retried inside the SDK, and each retry waited for the pacer.
    expect(paced.sdkRetries).toBe(2);
    expect(endpoint.arrivals).toHaveLength(PAGES + 2);
  });
});

describe('trailwatch lookup --all --max-results 5 against the same endpoint', () => {
  const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
  beforeEach(() => {
    process.env.AWS_ACCESS_KEY_ID = 'AKIAEXAMPLE';
    process.env.AWS_SECRET_ACCESS_KEY = 'example';
  });
  afterEach(() => {
    for (const [name, value] of [
      ['AWS_ACCESS_KEY_ID', saved.id],
      ['AWS_SECRET_ACCESS_KEY', saved.secret],
    ] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it('prints every event and never bursts, retries included', async () => {
    endpoint.throttleFirstAttemptOf = new Set(['', 'page-2']);
    const run = await runCli([
      'lookup',
      '--all',
      '--max-results',
      String(PAGE_SIZE),
      '--endpoint-url',
      url,
      '--region',
      'us-east-1',
      '--output',
      'json',
    ]);
    expect({ busiestWindow: endpoint.busiestWindow(), rateThrottled: endpoint.rateThrottled }).toEqual({
      busiestWindow: LIMIT_PER_WINDOW,
      rateThrottled: 0,
    });
    expect(run.stderr).not.toMatch(/error/);
    expect(run.code).toBe(0);
    expect((JSON.parse(run.stdout) as { Events: unknown[] }).Events).toHaveLength(PAGES * PAGE_SIZE);
    expect(endpoint.arrivals).toHaveLength(PAGES + 2);
  });
});
