/**
 * A local HTTP server that plays S3 (on 127.0.0.1 only) by a script per object path, for the tests
 * of how S3 reads fail, retry and are reported. Each path's requests are kept, in order.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { S3ClientConfig } from '@aws-sdk/client-s3';
import { S3Client } from '@aws-sdk/client-s3';
import { minimalRecord } from '../factories/records';

/** The static credentials the direct GetObject tests sign with, as Lambda's environment holds them. */
export const FAKE_S3_ENV = { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret' };

/**
 * The SDK's S3 client with the same credentials, the reference the direct GetObject is held to: in
 * eu-west-1, path-style against `endpoint` when one is given, with the SDK's defaults otherwise.
 */
export function sdkS3Client(endpoint: string | undefined, options: Partial<S3ClientConfig> = {}): S3Client {
  return new S3Client({
    region: 'eu-west-1',
    ...(endpoint === undefined ? {} : { endpoint, forcePathStyle: true }),
    credentials: {
      accessKeyId: FAKE_S3_ENV.AWS_ACCESS_KEY_ID,
      secretAccessKey: FAKE_S3_ENV.AWS_SECRET_ACCESS_KEY,
    },
    ...options,
  });
}

/** How the server answers the `attempt`-th request (1-based) for one path. */
export type FakeS3Behaviour = (attempt: number, response: ServerResponse, request: IncomingMessage) => void;

export class FakeS3 {
  /** The requests each path got (URL-decoded, without the query), in order. */
  readonly hits = new Map<string, IncomingMessage[]>();
  private server: Server | undefined;

  constructor(private readonly script: Readonly<Record<string, FakeS3Behaviour>>) {}

  /** Starts listening; resolves to the endpoint (`http://127.0.0.1:PORT`). Unscripted paths are NoSuchKey. */
  async start(): Promise<string> {
    const server = createServer((request, response) => {
      const path = decodeURIComponent((request.url ?? '').split('?')[0] ?? '');
      const seen = this.hits.get(path) ?? [];
      seen.push(request);
      this.hits.set(path, seen);
      const behaviour = this.script[path];
      if (behaviour) behaviour(seen.length, response, request);
      else s3Error(response, 404, 'NoSuchKey');
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

/** S3's XML error answer. https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html */
export function s3Error(
  response: ServerResponse,
  status: number,
  code: string,
  options: { readonly message?: string; readonly headers?: Readonly<Record<string, string>> } = {},
): void {
  response.writeHead(status, { 'content-type': 'application/xml', ...options.headers });
  response.end(
    `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${options.message ?? code}</Message></Error>`,
  );
}

/** `count` minimal CloudTrail records, one JSON object per line. */
export function cloudTrailLines(count: number): string {
  return Array.from({ length: count }, (_, i) => `${JSON.stringify(minimalRecord(i))}\n`).join('');
}

/** Sends the first `records` lines and 20 bytes of the next of a `total`-line body, then drops the connection. */
export function cutAfter(response: ServerResponse, records: number, total: number): void {
  const body = Buffer.from(cloudTrailLines(total));
  response.writeHead(200, { 'content-length': String(body.length), 'content-type': 'application/json' });
  response.write(body.subarray(0, Buffer.byteLength(cloudTrailLines(records)) + 20), () =>
    setTimeout(() => response.socket?.destroy(), 20),
  );
}
