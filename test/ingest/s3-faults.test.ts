import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReadResult } from '../../lib/ingest';
import { InputFormatError, isTransient, readRecords } from '../../lib/ingest';
import { cloudTrailLines, cutAfter, s3Error } from '../helpers/fake-s3';

/**
 * S3 read failures are classified for the Lambda driver: what a retry can fix is `transient` and
 * `retryable`, bad bytes are `data`, a missing object is `source`. A local HTTP server plays S3 (on
 * 127.0.0.1 only) and fails in each documented way.
 */

type Behaviour = (request: IncomingMessage, response: ServerResponse) => void;

const behaviours: Record<string, Behaviour> = {
  '/b/slow-down.json': (_q, r) => s3Error(r, 503, 'SlowDown'),
  '/b/internal.json': (_q, r) => s3Error(r, 500, 'InternalError'),
  '/b/throttled.json': (_q, r) => s3Error(r, 429, 'TooManyRequests'),
  '/b/missing.json': (_q, r) => s3Error(r, 404, 'NoSuchKey'),
  '/b/denied.json': (_q, r) => s3Error(r, 403, 'AccessDenied'),
  // Promises 10 records, sends 4 and a half, then the connection drops.
  '/b/cut-mid-stream.json': (_q, r) => cutAfter(r, 4, 10),
  '/b/bad-crc.json.gz': (_q, r) => {
    const gz = Buffer.from(gzipSync(cloudTrailLines(5)));
    gz.writeUInt32LE((gz.readUInt32LE(gz.length - 8) ^ 1) >>> 0, gz.length - 8);
    r.writeHead(200, { 'content-length': String(gz.length) });
    r.end(gz);
  },
};

let server: Server;
let client: S3Client;

beforeAll(async () => {
  server = createServer((request, response) => {
    const path = (request.url ?? '').split('?')[0] ?? '';
    const behaviour = behaviours[path];
    if (behaviour) behaviour(request, response);
    else s3Error(response, 404, 'NoSuchKey');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  client = new S3Client({
    endpoint: `http://127.0.0.1:${port}`,
    forcePathStyle: true,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    // One attempt: the classification of the final error is under test, not the SDK's retries.
    maxAttempts: 1,
  });
});

afterAll(async () => {
  client?.destroy();
  await new Promise<void>((resolve) => server?.close(() => resolve()));
});

async function read(key: string): Promise<ReadResult[]> {
  const results: ReadResult[] = [];
  for await (const result of readRecords([{ kind: 's3-object', bucket: 'b', key }], { s3: { client } })) {
    results.push(result);
  }
  return results;
}

describe('S3 read failures are classified', () => {
  const cases: { key: string; records: number; fault: string; retryable: boolean; message: RegExp }[] = [
    { key: 'slow-down.json', records: 0, fault: 'transient', retryable: true, message: /SlowDown|503/ },
    { key: 'internal.json', records: 0, fault: 'transient', retryable: true, message: /InternalError|500/ },
    { key: 'throttled.json', records: 0, fault: 'transient', retryable: true, message: /429/ },
    { key: 'missing.json', records: 0, fault: 'source', retryable: false, message: /NoSuchKey|404/ },
    { key: 'denied.json', records: 0, fault: 'source', retryable: false, message: /AccessDenied|403/ },
    { key: 'cut-mid-stream.json', records: 4, fault: 'transient', retryable: true, message: /./ },
    { key: 'bad-crc.json.gz', records: 5, fault: 'data', retryable: false, message: /CRC-32 mismatch/ },
  ];
  for (const { key, records, fault, retryable, message } of cases) {
    it(`${key}: ${records} record(s), then a ${fault} problem`, async () => {
      const results = await read(key);
      expect(results.filter((r) => r.kind === 'record')).toHaveLength(records);
      const problems = results.flatMap((r) => (r.kind === 'problem' ? [r] : []));
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatchObject({ fault, retryable, origin: { bucket: 'b', key } });
      expect(problems[0]?.message).toMatch(message);
    });
  }
});

describe('isTransient', () => {
  const named = (name: string, extra: Record<string, unknown> = {}): Error =>
    Object.assign(new Error(name), { name, ...extra });
  const cases: { name: string; error: unknown; transient: boolean }[] = [
    {
      name: 'SDK $retryable',
      error: named('Whatever', { $retryable: { throttling: true } }),
      transient: true,
    },
    {
      name: 'HTTP 503',
      error: named('ServiceUnavailable', { $metadata: { httpStatusCode: 503 } }),
      transient: true,
    },
    { name: 'HTTP 429', error: named('X', { $metadata: { httpStatusCode: 429 } }), transient: true },
    {
      name: 'S3 RequestTimeout (400)',
      error: named('RequestTimeout', { $metadata: { httpStatusCode: 400 } }),
      transient: true,
    },
    { name: 'SlowDown', error: named('SlowDown'), transient: true },
    { name: 'socket reset', error: named('Error', { code: 'ECONNRESET' }), transient: true },
    { name: 'DNS retry', error: named('Error', { code: 'EAI_AGAIN' }), transient: true },
    {
      name: 'premature close',
      error: named('Error', { code: 'ERR_STREAM_PREMATURE_CLOSE' }),
      transient: true,
    },
    { name: 'timeout', error: named('TimeoutError'), transient: true },
    {
      name: 'wrapped socket error',
      error: Object.assign(new Error('fetch failed'), { cause: named('Error', { code: 'ECONNRESET' }) }),
      transient: true,
    },
    {
      name: 'NoSuchKey',
      error: named('NoSuchKey', { $metadata: { httpStatusCode: 404 } }),
      transient: false,
    },
    {
      name: 'AccessDenied',
      error: named('AccessDenied', { $metadata: { httpStatusCode: 403 } }),
      transient: false,
    },
    { name: 'missing file', error: named('Error', { code: 'ENOENT' }), transient: false },
    { name: 'bad gzip', error: new InputFormatError('corrupt gzip data'), transient: false },
    { name: 'not an error', error: 'ECONNRESET', transient: false },
    {
      // What the SDK throws for an HTML page where the service's JSON was due: wrong --endpoint-url.
      name: 'an answer not in the protocol, HTTP 500',
      error: Object.assign(new SyntaxError('Unexpected token < in JSON'), {
        $metadata: { httpStatusCode: 500 },
      }),
      transient: false,
    },
  ];
  for (const { name, error, transient } of cases) {
    it(`${name}: ${transient ? 'transient' : 'not transient'}`, () => {
      expect(isTransient(error)).toBe(transient);
    });
  }
});
