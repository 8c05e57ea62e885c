import { createHash } from 'node:crypto';
import type { ClientRequest, IncomingMessage, RequestOptions } from 'node:http';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Server, Socket } from 'node:net';
import { createServer } from 'node:net';
import { gzipSync } from 'node:zlib';
import { CreateBucketCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { SignatureV4 } from '@smithy/signature-v4';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { awsErrorFacts } from '../../lib/aws';
import type { ReadResult } from '../../lib/ingest';
import { decodeS3EventKey, readRecords } from '../../lib/ingest';
import { openS3Object } from '../../lib/ingest/s3';
import { signedGetRequest } from '../../lib/ingest/s3-direct-request';
import type { DirectS3 } from '../../lib/ingest/s3-direct-settings';
import { directlyAddressable, directS3 } from '../../lib/ingest/s3-direct-settings';
import { errorDocumentFields } from '../../lib/ingest/s3-error-answer';
import { getObjectDirect } from '../../lib/ingest/s3-get';
import { minimalRecord } from '../factories/records';
import { FAKE_S3_ENV, sdkS3Client } from '../helpers/fake-s3';
import {
  MOTO_CREDENTIALS,
  MOTO_SKIP_MESSAGE,
  type Moto,
  motoAvailable,
  motoS3Client,
  startMoto,
} from '../helpers/moto';
import { Sha256 } from '../helpers/sdk-signer';

/**
 * The direct GetObject against a hostile or failing S3: error bodies that are huge, endless,
 * binary or odd XML; connections that close before or inside an answer; redirects without or with
 * bad regions. Each must end (no hang, no crash, nothing buffered whole) and fail as the SDK's
 * client fails for the same answer. A raw TCP server on 127.0.0.1 plays S3, byte for byte.
 */

const CREDENTIALS = FAKE_S3_ENV;

interface RawRequest {
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
}

type Behaviour = (socket: Socket, attempt: number, request: RawRequest) => void;

/** One HTTP/1.1 request head per `\r\n\r\n` (a GET has no body), answered by the path's script. */
class RawS3 {
  readonly hits = new Map<string, RawRequest[]>();
  readonly sockets = new Set<Socket>();
  private server: Server | undefined;
  constructor(readonly script: Record<string, Behaviour>) {}

  async start(): Promise<string> {
    const server = createServer((socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => {});
      let pending = '';
      socket.on('data', (data: Buffer) => {
        pending += data.toString('latin1');
        for (let end = pending.indexOf('\r\n\r\n'); end !== -1; end = pending.indexOf('\r\n\r\n')) {
          const head = pending.slice(0, end);
          pending = pending.slice(end + 4);
          const [requestLine = '', ...headerLines] = head.split('\r\n');
          const headers: Record<string, string> = {};
          for (const line of headerLines) {
            const colon = line.indexOf(':');
            headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
          }
          const target = requestLine.split(' ')[1] ?? '';
          const path = decodeURIComponent(target.split('?')[0] ?? '');
          const seen = this.hits.get(path) ?? [];
          const request = { path, headers };
          seen.push(request);
          this.hits.set(path, seen);
          const behaviour = this.script[path] ?? ((s: Socket) => answer(s, 404, s3ErrorXml('NoSuchKey')));
          behaviour(socket, seen.length, request);
        }
      });
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

const REASONS: Readonly<Record<number, string>> = {
  200: 'OK',
  301: 'Moved Permanently',
  307: 'Temporary Redirect',
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

function head(status: number, headers: Record<string, string | number>): string {
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
  return `HTTP/1.1 ${status} ${REASONS[status] ?? 'Whatever'}\r\n${lines.join('')}\r\n`;
}

/** A whole answer with a right content-length, on a connection kept alive. */
function answer(
  socket: Socket,
  status: number,
  body: string | Buffer,
  headers: Record<string, string> = {},
): void {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  socket.write(
    head(status, { 'content-type': 'application/xml', ...headers, 'content-length': bytes.length }),
  );
  socket.write(bytes);
}

const s3ErrorXml = (code: string, message = code): string =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>R</RequestId></Error>`;

const NO_WAIT = { attempts: 3, delayMs: () => 0 };

/** The direct GetObject's settings for a local endpoint with the test keys, and any overrides. */
function directAt(
  endpoint: string,
  overrides: Partial<Pick<DirectS3, 'retry' | 'idleTimeoutMs'>> = {},
): DirectS3 {
  const settings = directS3({ region: 'eu-west-1', endpoint }, CREDENTIALS);
  if (settings === undefined) throw new Error(`directS3 declined ${endpoint}`);
  return { ...settings, ...overrides };
}
const IDLE_MS = 400;

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

/** The body read whole, or the failure met opening or reading it. */
async function failureOrBody(reading: Promise<Buffer>): Promise<unknown> {
  return reading.then(
    (body) => body,
    (error: unknown) => error,
  );
}

async function drain(body: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('error answers that are huge, endless or odd', () => {
  const ENDLESS_LIMIT_BYTES = 256 * 1024 * 1024;
  const sentBytes = new Map<string, number>();

  /** A 403 whose body names the code first, then streams filler until the client stops reading. */
  const endless =
    (path: string, chunked: boolean): Behaviour =>
    (socket) => {
      const filler = Buffer.alloc(64 * 1024, 'x');
      socket.write(
        head(403, chunked ? { 'transfer-encoding': 'chunked' } : { 'content-length': ENDLESS_LIMIT_BYTES }),
      );
      const first = Buffer.from(`<Error><Code>AccessDenied</Code><Message>no</Message><Padding>`);
      let sent = 0;
      const frame = (bytes: Buffer): Buffer =>
        chunked
          ? Buffer.concat([Buffer.from(`${bytes.length.toString(16)}\r\n`), bytes, Buffer.from('\r\n')])
          : bytes;
      socket.write(frame(first));
      sent += first.length;
      const pump = (): void => {
        // Bounded: the server ends the body by itself at 256 MiB, whatever the client does.
        while (!socket.destroyed) {
          const last = filler.subarray(0, Math.min(filler.length, ENDLESS_LIMIT_BYTES - sent));
          sent += last.length;
          sentBytes.set(path, sent);
          if (sent >= ENDLESS_LIMIT_BYTES) {
            socket.write(chunked ? Buffer.concat([frame(last), Buffer.from('0\r\n\r\n')]) : last);
            return;
          }
          if (!socket.write(frame(last))) {
            socket.once('drain', pump);
            return;
          }
        }
      };
      pump();
    };

  const fake = new RawS3({
    '/b/endless-error.json': endless('/b/endless-error.json', false),
    '/b/endless-chunked-error.json': endless('/b/endless-chunked-error.json', true),
    '/b/error-stalls.json': (socket) => socket.write(head(503, { 'content-length': 100 })),
  });
  let s3: DirectS3;
  beforeAll(async () => {
    const endpoint = await fake.start();
    s3 = directAt(endpoint, { retry: NO_WAIT, idleTimeoutMs: IDLE_MS });
  });
  afterAll(() => fake.stop());

  for (const key of ['endless-error.json', 'endless-chunked-error.json']) {
    it(`${key}: a 403 with a body that never ends fails as AccessDenied after reading a bounded prefix`, async () => {
      const started = Date.now();
      const error = await failureOf(getObjectDirect(s3, 'b', key));
      expect(awsErrorFacts(error)).toMatchObject({ code: 'AccessDenied', httpStatus: 403, kind: 'refused' });
      // The client reads 64 KiB of an error body; the rest is at most what the socket buffers held.
      expect(sentBytes.get(`/b/${key}`) ?? 0).toBeLessThan(16 * 1024 * 1024);
      expect(Date.now() - started).toBeLessThan(5_000);
    });
  }

  it('a 503 whose body stalls after the headers times out on each attempt (an SDK client with the same requestTimeout still waited after 30 s)', async () => {
    const error = await failureOf(getObjectDirect(s3, 'b', 'error-stalls.json'));
    expect(awsErrorFacts(error)).toMatchObject({ code: 'ETIMEDOUT', kind: 'transient' });
    expect(fake.hits.get('/b/error-stalls.json')).toHaveLength(3);
  });
});

/** What decides the caller's next step: the kind (retry or not), the status, and how often S3 was asked. */
interface Outcome {
  readonly kind: string;
  readonly code: string;
  readonly httpStatus?: number;
  readonly requests: number;
}

describe('odd error answers fail as the SDK client fails for them', () => {
  const binary = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256));
  const billionLaughs = `<?xml version="1.0"?>
<!DOCTYPE Error [
 <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
 <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
]>
<Error><Code>AccessDenied</Code><Message>&e;</Message></Error>`;
  /**
   * `compareCode`: the SDK took its code from the body, so ours must match. `bodyBroke`: the
   * connection broke inside the error body; the SDK keeps the status it saw, the direct request
   * fails as the network failure: the same kind and retries, no status.
   */
  const cases: { name: string; behaviour: Behaviour; compareCode?: boolean; bodyBroke?: boolean }[] = [
    { name: 'binary-403', behaviour: (s) => answer(s, 403, binary) },
    { name: 'binary-503', behaviour: (s) => answer(s, 503, binary) },
    { name: 'empty-500', behaviour: (s) => answer(s, 500, '') },
    { name: 'empty-403', behaviour: (s) => answer(s, 403, '') },
    { name: 'empty-404', behaviour: (s) => answer(s, 404, ''), compareCode: true },
    { name: 'billion-laughs-403', behaviour: (s) => answer(s, 403, billionLaughs) },
    {
      name: 'doctype-entity-code-403',
      behaviour: (s) =>
        answer(
          s,
          403,
          `<!DOCTYPE Error [<!ENTITY t "SlowDown">]><Error><Code>&t;</Code><Message>m</Message></Error>`,
        ),
    },
    {
      name: 'nested-code-403',
      behaviour: (s) =>
        answer(
          s,
          403,
          '<Error><Detail><Code>SlowDown</Code></Detail><Code>AccessDenied</Code><Message>m</Message></Error>',
        ),
      compareCode: true,
    },
    {
      name: 'cdata-code-400',
      behaviour: (s) =>
        answer(s, 400, '<Error><Code><![CDATA[SlowDown]]></Code><Message>m</Message></Error>'),
    },
    {
      name: 'spaced-code-400',
      behaviour: (s) => answer(s, 400, '<Error>\n  <Code>\n    RequestTimeout\n  </Code>\n</Error>'),
    },
    {
      name: 'numeric-entity-code-400',
      behaviour: (s) => answer(s, 400, '<Error><Code>Request&#84;imeout</Code><Message>m</Message></Error>'),
    },
    {
      name: 'short-body-503',
      behaviour: (s) => {
        s.write(head(503, { 'content-length': 1000 }));
        s.end('<Error><Code>SlowDown</Code>');
      },
      bodyBroke: true,
    },
    {
      name: 'headers-then-close-403',
      behaviour: (s) => {
        s.write(head(403, { 'content-length': 10 }));
        s.destroy();
      },
      bodyBroke: true,
    },
    { name: 'close-before-headers', behaviour: (s) => s.destroy() },
    { name: 'not-http', behaviour: (s) => s.end('SSH-2.0-OpenSSH_9.6\r\n') },
    {
      name: 'header-overflow',
      behaviour: (s) => {
        s.write(head(200, { 'x-filler': 'y'.repeat(100 * 1024), 'content-length': 2 }));
        s.end('{}');
      },
    },
    {
      name: 'redirect-without-region-301',
      behaviour: (s) => answer(s, 301, s3ErrorXml('PermanentRedirect')),
    },
    {
      name: 'temporary-redirect-with-location-307',
      behaviour: (s) =>
        answer(s, 307, s3ErrorXml('TemporaryRedirect'), { location: 'http://127.0.0.1:1/elsewhere' }),
    },
  ];

  const fake = new RawS3(Object.fromEntries(cases.map(({ name, behaviour }) => [`/b/${name}`, behaviour])));
  let direct: DirectS3;
  let sdk: S3Client;
  beforeAll(async () => {
    const endpoint = await fake.start();
    direct = directAt(endpoint, { retry: NO_WAIT, idleTimeoutMs: IDLE_MS });
    sdk = sdkS3Client(endpoint, { followRegionRedirects: true, requestHandler: { requestTimeout: IDLE_MS } });
  });
  afterAll(async () => {
    sdk?.destroy();
    await fake.stop();
  });

  const outcome = async (key: string, open: () => Promise<AsyncIterable<unknown>>): Promise<Outcome> => {
    const before = fake.hits.get(`/b/${key}`)?.length ?? 0;
    const error = await failureOf(open().then(drain));
    const facts = awsErrorFacts(error);
    return {
      kind: facts.kind,
      code: facts.code,
      ...(facts.httpStatus === undefined ? {} : { httpStatus: facts.httpStatus }),
      requests: (fake.hits.get(`/b/${key}`)?.length ?? 0) - before,
    };
  };

  for (const { name, compareCode, bodyBroke } of cases) {
    it(`${name}: same kind, status and request count as the SDK`, async () => {
      const ours = await outcome(name, () => getObjectDirect(direct, 'b', name));
      const theirs = await outcome(name, () => openS3Object(sdk, 'b', name));
      const { code: ourCode, ...ourRest } = ours;
      const { code: theirCode, httpStatus: theirStatus, ...theirRest } = theirs;
      expect({ name, ...ourRest }).toEqual({
        name,
        ...theirRest,
        ...(bodyBroke || theirStatus === undefined ? {} : { httpStatus: theirStatus }),
      });
      if (compareCode) expect(ourCode).toBe(theirCode);
    });
  }
});

describe('errorDocumentFields reads S3 error documents and survives hostile ones', () => {
  const escapeXml = (text: string): string =>
    text.replace(/[&<>]/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[char] ?? char);
  const text = fc.string({ unit: 'grapheme', maxLength: 40 });
  const decoy = fc.constantFrom(
    '',
    '<!-- <Code>Decoy</Code> -->',
    '<Detail><Code>Decoy</Code><Message>decoy</Message></Detail>',
    '<Resource>/b/k</Resource>',
    '<Empty/>',
  );

  it('gives back the code and message S3 wrote, escaped or in CDATA, past decoys', () => {
    fc.assert(
      fc.property(
        text.filter((t) => t.length > 0),
        text,
        decoy,
        decoy,
        fc.boolean(),
        (code, message, before, after, cdata) => {
          const wrap = (t: string): string =>
            cdata && !t.includes(']]>') ? `<![CDATA[${t}]]>` : escapeXml(t);
          const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error>${before}<Code>${wrap(code)}</Code>${after}<Message>${wrap(message)}</Message><RequestId>R</RequestId></Error>`;
          expect(errorDocumentFields(body)).toEqual({ code, message });
        },
      ),
    );
  });

  it('never throws on markup soup', () => {
    const soup = fc.string({
      unit: fc.constantFrom(
        '<',
        '>',
        '/',
        '!',
        '[',
        ']',
        '-',
        '?',
        '&',
        '#',
        'x',
        ';',
        '<Code>',
        '</Code>',
        '<Error>',
        '</Error>',
        '<![CDATA[',
        ']]>',
        '<!DOCTYPE',
        ' ',
        'a',
      ),
      maxLength: 60,
    });
    fc.assert(
      fc.property(soup, (body) => {
        const fields = errorDocumentFields(body);
        expect(typeof (fields.code ?? '')).toBe('string');
      }),
    );
  });

  const EDGE_BYTES = 64 * 1024;
  const hostile: Record<string, string> = {
    'deep nesting': '<a>'.repeat(EDGE_BYTES / 3),
    'many declarations': '<!a>'.repeat(EDGE_BYTES / 4),
    'many unterminated subsets': '<!a['.repeat(EDGE_BYTES / 4),
    'many open codes': `<Error>${'<Code>'.repeat(EDGE_BYTES / 6)}`,
    'many references': `<Error><Code>${'&#x41;'.repeat(EDGE_BYTES / 6)}</Code></Error>`,
  };
  for (const [name, body] of Object.entries(hostile)) {
    it(`reads 64 KiB of ${name} in linear time`, () => {
      const started = performance.now();
      errorDocumentFields(body);
      // Linear work on 64 KiB takes well under a millisecond or two; quadratic work takes seconds.
      expect(performance.now() - started).toBeLessThan(200);
    });
  }
});

/** Where the SDK's S3 client sends a GetObject: captured after signing, never sent. */
async function sdkTarget(
  region: string,
  bucket: string,
  key: string,
): Promise<{ host: string; path: string }> {
  const client = sdkS3Client(undefined, { region, followRegionRedirects: true });
  let captured: { host: string; path: string } | undefined;
  client.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { hostname: string; path: string };
      captured ??= { host: request.hostname, path: request.path };
      return next(args);
    },
    { step: 'finalizeRequest', priority: 'low', name: 'captureTarget' },
  );
  client.middlewareStack.add(
    () => async () => {
      throw new Error('captured, not sent');
    },
    { step: 'deserialize', priority: 'low', name: 'neverSend' },
  );
  await failureOf(openS3Object(client, bucket, key));
  client.destroy();
  if (captured === undefined) throw new Error(`the SDK built no request for ${bucket}`);
  return captured;
}

describe('every bucket name the direct request takes is addressed where the SDK addresses it', () => {
  const named = [
    'abc',
    'a-b',
    '123',
    'a'.repeat(63),
    'trail-logs',
    'trail.logs',
    'my.dotted.bucket',
    'xn--trail',
    'trail-logs-s3alias',
    'ap-123456789012-abcdefghijklmnopqrstu-s3alias',
    'accesspoint--ol-s3',
    'logs--usw2-az1--x-s3',
    'logs--usw2-az1--xa-s3',
    'op-01ac5d28a6a232904e8xz5w8ijx1qzlbp3i3kuse10--op-s3',
    '192.168.1.1',
    'Legacy_Bucket',
    'UPPER',
    'legacy_bucket_with_a_very_long_name_'.repeat(6),
    'a..b',
    '-leading',
    'trailing-',
    'ab',
  ];
  const legal = fc.stringMatching(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/);
  // `.` and `..` are no bucket (names have 3 characters or more): the SDK's URL parsing drops them
  // as dot segments and reads `s3://AWSLogs/k` instead; the direct request sends them as written.
  const legacy = fc.stringMatching(/^[A-Za-z0-9._-]{3,255}$/);

  const agree = async (bucket: string, region: string): Promise<void> => {
    const s3 = directS3({ region }, CREDENTIALS) as DirectS3;
    if (!directlyAddressable(bucket)) return;
    const ours = await signedGetRequest(s3, region, bucket, 'AWSLogs/k');
    const theirs = await sdkTarget(region, bucket, 'AWSLogs/k');
    expect({ bucket, host: ours.hostname, path: ours.path }).toEqual({ bucket, ...theirs });
  };

  it('only the names the SDK routes elsewhere (S3 Express, Outposts aliases) are left to the SDK', () => {
    expect(named.filter((bucket) => !directlyAddressable(bucket))).toEqual([
      'logs--usw2-az1--x-s3',
      'logs--usw2-az1--xa-s3',
      'op-01ac5d28a6a232904e8xz5w8ijx1qzlbp3i3kuse10--op-s3',
    ]);
  });

  for (const bucket of named) {
    it(`${bucket.length > 40 ? `${bucket.slice(0, 40)}…` : bucket}`, async () => {
      await agree(bucket, 'us-west-2');
      await agree(bucket, 'cn-north-1');
    });
  }

  /** S3 keys are up to 1,024 bytes of UTF-8. https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html */
  const MAX_KEY_BYTES = 1024;
  const longKey = fc
    .array(fc.constantFrom('a', '/', ' ', '+', '%', 'é', '日', '😀', '.', '..', '~'), {
      minLength: 1,
      maxLength: 400,
    })
    .map((parts) => {
      let key = '';
      for (const part of parts) {
        if (Buffer.byteLength(key + part) > MAX_KEY_BYTES) break;
        key += part;
      }
      return key;
    });
  const hostileKey = fc.string({
    unit: fc.constantFrom(...'aZ09-_.~/ +%?#&=!\'()*@:;,$[]{}|^`"<>\\é日😀\t\r\n'),
    minLength: 1,
    maxLength: 60,
  });

  it('generated keys up to 1,024 bytes, dot segments and reserved characters: the same path as the SDK', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(longKey, hostileKey),
        fc.constantFrom('trail-logs', 'trail.logs', 'Legacy_Bucket'),
        async (key, bucket) => {
          const s3 = directS3({ region: 'eu-west-1' }, CREDENTIALS) as DirectS3;
          const ours = await signedGetRequest(s3, 'eu-west-1', bucket, key);
          const theirs = await sdkTarget('eu-west-1', bucket, key);
          expect({ host: ours.hostname, path: ours.path }).toEqual(theirs);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('generated legal and legacy names', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(legal, legacy),
        fc.constantFrom('us-east-1', 'eu-west-1', 'us-gov-west-1'),
        agree,
      ),
      { numRuns: 150 },
    );
  });
});

describe('a region redirect without an endpoint is followed only to a region whose S3 host is known', () => {
  const redirectTo =
    (region: string): Behaviour =>
    (socket, attempt) =>
      attempt === 1
        ? answer(socket, 301, s3ErrorXml('PermanentRedirect'), { 'x-amz-bucket-region': region })
        : answer(socket, 200, 'moved', { 'content-type': 'application/json' });
  const cases: { name: string; region: string; followedTo?: string }[] = [
    { name: 'to-sydney', region: 'ap-southeast-2', followedTo: 'trail-logs.s3.ap-southeast-2.amazonaws.com' },
    { name: 'to-china', region: 'cn-north-1', followedTo: 'trail-logs.s3.cn-north-1.amazonaws.com.cn' },
    { name: 'to-govcloud', region: 'us-gov-east-1', followedTo: 'trail-logs.s3.us-gov-east-1.amazonaws.com' },
    // The SDK sends an ISO region to its own domain (c2s.ic.gov), which the direct request does not know.
    { name: 'to-iso', region: 'us-iso-east-1' },
    { name: 'to-overlong', region: `eu-${'a'.repeat(80)}-1` },
    { name: 'to-no-region', region: 'localhost' },
    { name: 'to-dots', region: 'evil.example' },
  ];
  const fake = new RawS3(
    Object.fromEntries(cases.map(({ name, region }) => [`/${name}.json`, redirectTo(region)])),
  );
  const hosts: string[] = [];
  let port = 0;

  beforeAll(async () => {
    port = Number(new URL(await fake.start()).port);
    // The direct request speaks HTTPS to *.amazonaws.com: each is sent to the local server instead,
    // its host name kept for the test.
    vi.spyOn(https, 'request').mockImplementation(((
      options: RequestOptions,
      callback?: (response: IncomingMessage) => void,
    ): ClientRequest => {
      hosts.push(String(options.hostname));
      return http.request({ ...options, hostname: '127.0.0.1', port, agent: false }, callback);
    }) as unknown as typeof https.request);
  });
  afterEach(() => {
    hosts.length = 0;
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await fake.stop();
  });

  it('a configured region too long for a host name is left to the SDK', () => {
    expect(directS3({ region: `eu-${'a'.repeat(80)}-1` }, CREDENTIALS)).toBeUndefined();
    expect(directS3({ region: 'eu-central-1' }, CREDENTIALS)).toBeDefined();
  });

  for (const { name, region, followedTo } of cases) {
    it(`${name} (${region.length > 30 ? `${region.slice(0, 30)}…` : region}): ${followedTo ? `asks ${followedTo}` : 'fails as the redirect, asking nothing else'}`, async () => {
      const s3 = {
        ...(directS3({ region: 'eu-west-1' }, CREDENTIALS) as DirectS3),
        retry: NO_WAIT,
        idleTimeoutMs: IDLE_MS,
      };
      const result = await getObjectDirect(s3, 'trail-logs', `${name}.json`).then(
        drain,
        (error: unknown) => error,
      );
      if (followedTo === undefined) {
        expect(awsErrorFacts(result)).toMatchObject({
          code: 'PermanentRedirect',
          httpStatus: 301,
          kind: 'refused',
        });
        expect(hosts).toEqual(['trail-logs.s3.eu-west-1.amazonaws.com']);
      } else {
        expect(String(result)).toBe('moved');
        expect(hosts).toEqual(['trail-logs.s3.eu-west-1.amazonaws.com', followedTo]);
      }
    });
  }
});

describe('many reads at once share the keep-alive agent without crossing answers', () => {
  const READS = 60;
  const bodyOf = (key: string): string => `${JSON.stringify({ key })}\n`.repeat(50);
  const ok = (key: string, socket: Socket, delay: number): void => {
    setTimeout(() => {
      if (!socket.destroyed) answer(socket, 200, bodyOf(key), { 'content-type': 'application/json' });
    }, delay);
  };
  const script: Record<string, Behaviour> = {};
  for (let i = 0; i < READS; i++) {
    const key = `k${i}.json`;
    const delay = (i * 7) % 30;
    switch (i % 5) {
      case 0:
        script[`/b/${key}`] = (socket) => ok(key, socket, delay);
        break;
      case 1:
        // Bytes past the content-length: the connection must not carry them into another answer.
        script[`/b/${key}`] = (socket) => {
          const body = Buffer.from(bodyOf(key));
          socket.write(head(200, { 'content-length': body.length }));
          socket.write(
            Buffer.concat([body, Buffer.from('HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\nevil')]),
          );
        };
        break;
      case 2:
        script[`/b/${key}`] = (socket, attempt) =>
          attempt === 1 ? socket.destroy() : ok(key, socket, delay);
        break;
      case 3:
        script[`/b/${key}`] = (socket, attempt) =>
          attempt === 1 ? answer(socket, 503, s3ErrorXml('SlowDown')) : ok(key, socket, delay);
        break;
      default:
        script[`/b/${key}`] = (socket, attempt) =>
          attempt === 1
            ? answer(socket, 500, s3ErrorXml('InternalError').repeat(2000))
            : ok(key, socket, delay);
    }
  }
  const fake = new RawS3(script);
  let s3: DirectS3;
  beforeAll(async () => {
    const endpoint = await fake.start();
    s3 = directAt(endpoint, { retry: NO_WAIT, idleTimeoutMs: 2_000 });
  });
  afterAll(() => fake.stop());

  it(`${READS} concurrent reads, a fifth of them answered with trailing garbage, each get their own body`, async () => {
    for (let round = 0; round < 3; round++) {
      const keys = Array.from({ length: READS }, (_, i) => `k${i}.json`);
      const bodies = await Promise.all(
        keys.map((key) => getObjectDirect(s3, 'b', key).then(drain, (error: unknown) => error)),
      );
      expect(bodies.map((body) => String(body))).toEqual(keys.map(bodyOf));
      fake.hits.clear();
    }
  });
});

const cloudTrailFile = (records: number): Buffer =>
  gzipSync(
    JSON.stringify({
      Records: Array.from({ length: records }, (_, i) => minimalRecord(i)),
    }),
  );

describe('broken object bodies are reported by the reader as they are over the SDK client', () => {
  const whole = cloudTrailFile(200);
  const cases: Record<string, Behaviour> = {
    'truncated.json.gz': (socket) => answer(socket, 200, whole.subarray(0, Math.floor(whole.length / 2))),
    'no-trailer.json.gz': (socket) => answer(socket, 200, whole.subarray(0, whole.length - 8)),
    'not-gzip.json.gz': (socket) => answer(socket, 200, Buffer.from('\x1f\x8bnot really gzip at all')),
    'short-read.json.gz': (socket) => {
      socket.write(head(200, { 'content-length': whole.length }));
      socket.end(whole.subarray(0, Math.floor(whole.length / 2)));
    },
    'empty.json.gz': (socket) => answer(socket, 200, ''),
    'gzip-bomb.json.gz': (socket) => answer(socket, 200, gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20))),
  };
  const fake = new RawS3(
    Object.fromEntries(Object.entries(cases).map(([key, behaviour]) => [`/b/${key}`, behaviour])),
  );
  let endpoint: string;
  let sdk: S3Client;
  beforeAll(async () => {
    endpoint = await fake.start();
    sdk = sdkS3Client(endpoint, { maxAttempts: 1 });
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });
  afterAll(async () => {
    sdk?.destroy();
    await fake.stop();
  });

  const summary = async (key: string, direct: boolean): Promise<string[]> => {
    if (direct) {
      for (const [name, value] of Object.entries(CREDENTIALS)) vi.stubEnv(name, value);
      vi.stubEnv('AWS_PROFILE', undefined);
    }
    const out: string[] = [];
    let records = 0;
    for await (const result of readRecords([{ kind: 's3-object', bucket: 'b', key }], {
      s3: direct ? { endpoint, region: 'eu-west-1' } : { client: sdk },
    }) as AsyncIterable<ReadResult>) {
      if (result.kind === 'record') records++;
      else if (result.kind === 'problem') out.push(`problem ${result.fault} ${String(result.retryable)}`);
      else out.push(result.kind);
    }
    return [`${records} records`, ...out];
  };

  for (const key of Object.keys(cases)) {
    it(`${key}: the same records and problems`, async () => {
      expect(await summary(key, true)).toEqual(await summary(key, false));
    });
  }
});

describe('credentials with odd characters are signed as the SDK signs them', () => {
  const base64 = fc.string({
    unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/='),
    minLength: 1,
    maxLength: 1200,
  });
  const printable = fc.string({
    unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)),
    minLength: 1,
    maxLength: 60,
  });
  const unicodeSecret = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 });
  it('generated key ids, secrets (printable or any Unicode) and base64 session tokens', async () => {
    const now = new Date(Date.UTC(2024, 4, 1, 12, 34, 56));
    await fc.assert(
      fc.asyncProperty(
        printable,
        fc.oneof(printable, unicodeSecret),
        fc.option(base64, { nil: undefined }),
        async (accessKeyId, secretAccessKey, sessionToken) => {
          const env = {
            AWS_ACCESS_KEY_ID: accessKeyId,
            AWS_SECRET_ACCESS_KEY: secretAccessKey,
            ...(sessionToken === undefined ? {} : { AWS_SESSION_TOKEN: sessionToken }),
          };
          const s3 = directS3({ region: 'eu-west-1' }, env) as DirectS3;
          const ours = await signedGetRequest(s3, 'eu-west-1', 'trail-logs', 'AWSLogs/a b.json', now);
          const signer = new SignatureV4({
            service: 's3',
            region: 'eu-west-1',
            credentials: {
              accessKeyId,
              secretAccessKey,
              ...(sessionToken === undefined ? {} : { sessionToken }),
            },
            sha256: Sha256,
            uriEscapePath: false,
          });
          const theirs = await signer.sign(
            {
              method: 'GET',
              protocol: 'https:',
              hostname: ours.hostname,
              path: ours.path,
              query: {},
              headers: {
                host: ours.hostname,
                'x-amz-content-sha256': createHash('sha256').update('').digest('hex'),
              },
            },
            { signingDate: now },
          );
          expect({
            authorization: ours.headers.Authorization,
            token: ours.headers['X-Amz-Security-Token'],
          }).toEqual({
            authorization: theirs.headers.authorization,
            token: theirs.headers['x-amz-security-token'],
          });
        },
      ),
      { numRuns: 200 },
    );
  });

  it('a token no header can carry fails at once, not as a network failure retried', async () => {
    const fake = new RawS3({});
    const endpoint = await fake.start();
    try {
      const s3 = {
        ...(directS3(
          { region: 'eu-west-1', endpoint },
          { ...CREDENTIALS, AWS_SESSION_TOKEN: 'line\nbreak' },
        ) as DirectS3),
        retry: NO_WAIT,
      };
      const error = await failureOf(getObjectDirect(s3, 'b', 'k.json'));
      expect(awsErrorFacts(error).retryable).toBe(false);
      expect(fake.hits.size).toBe(0);
    } finally {
      await fake.stop();
    }
  });
});

describe.skipIf(!motoAvailable)(
  'keys from S3 event notifications reach moto_server as the objects S3 stored',
  () => {
    if (!motoAvailable) console.warn(MOTO_SKIP_MESSAGE);
    let moto: Moto;
    let client: S3Client;
    beforeAll(async () => {
      moto = await startMoto();
      client = motoS3Client(moto);
      await client.send(new CreateBucketCommand({ Bucket: 'notified' }));
    });
    afterEach(() => {
      vi.unstubAllEnvs();
    });
    afterAll(async () => {
      client?.destroy();
      await moto?.stop();
    });

    /** S3 writes a notification's key form-encoded: `+` for a space, `%2B` for a plus. */
    const formEncoded = (key: string): string => new URLSearchParams({ k: key }).toString().slice(2);
    // moto's own routing cannot store keys that start or end with a slash or hold `//`; S3 can.
    const key = fc
      .string({ unit: fc.constantFrom(..."aZ09-_.~/ +%?#&=!'()*@:;,$é日😀"), minLength: 1, maxLength: 40 })
      .filter((k) => !k.startsWith('/') && !k.endsWith('/') && !k.includes('//'));

    it('a batch of notifications with generated keys: every object read, none missed', async () => {
      for (const [name, value] of Object.entries({
        AWS_ACCESS_KEY_ID: MOTO_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: MOTO_CREDENTIALS.secretAccessKey,
      }))
        vi.stubEnv(name, value);
      vi.stubEnv('AWS_PROFILE', undefined);
      await fc.assert(
        fc.asyncProperty(fc.uniqueArray(key, { minLength: 1, maxLength: 12 }), async (keys) => {
          for (const [i, k] of keys.entries()) {
            await client.send(
              new PutObjectCommand({ Bucket: 'notified', Key: k, Body: cloudTrailFile(i + 1) }),
            );
          }
          const event = {
            Records: keys.map((k) => ({
              eventSource: 'aws:s3',
              eventName: 'ObjectCreated:Put',
              s3: { bucket: { name: 'notified' }, object: { key: formEncoded(k) } },
            })),
          };
          expect(keys.every((k) => decodeS3EventKey(formEncoded(k)) === k)).toBe(true);
          const problems: string[] = [];
          let records = 0;
          for await (const result of readRecords([{ kind: 'payload', name: 'event', value: event }], {
            s3: { endpoint: moto.endpoint, region: 'us-east-1' },
          }) as AsyncIterable<ReadResult>) {
            if (result.kind === 'record') records++;
            if (result.kind === 'problem') problems.push(result.message);
          }
          expect(problems).toEqual([]);
          expect(records).toBe((keys.length * (keys.length + 1)) / 2);
        }),
        { numRuns: 8 },
      );
    });
  },
);

describe('a body the reader leaves or stops reading ends without an uncaught error', () => {
  const endless: Behaviour = (socket) => {
    socket.write(head(200, { 'transfer-encoding': 'chunked' }));
    let sent = 0;
    const timer = setInterval(() => {
      // Bounded: at most 200 chunks, then the server ends the body itself.
      if (socket.destroyed || ++sent > 200) {
        clearInterval(timer);
        if (!socket.destroyed) socket.write('0\r\n\r\n');
        return;
      }
      socket.write(`4\r\n{}\n\n\r\n`);
    }, 10);
  };
  const fake = new RawS3({
    '/b/endless.json': endless,
    '/b/stalls.json': (socket) => {
      socket.write(head(200, { 'content-length': 100 }));
      socket.write('{}');
    },
  });
  let s3: DirectS3;
  beforeAll(async () => {
    const endpoint = await fake.start();
    s3 = directAt(endpoint, { retry: NO_WAIT, idleTimeoutMs: 200 });
  });
  afterAll(() => fake.stop());

  it('stopping after the first chunk of an endless body closes it', async () => {
    const body = await getObjectDirect(s3, 'b', 'endless.json');
    for await (const _chunk of body) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(body.destroyed).toBe(true);
  });

  it('a stalled body opened but not yet read fails when read, as the timeout', async () => {
    const body = await getObjectDirect(s3, 'b', 'stalls.json');
    await new Promise((resolve) => setTimeout(resolve, 600));
    const error = await failureOf(drain(body));
    expect(awsErrorFacts(error)).toMatchObject({ code: 'ETIMEDOUT', kind: 'transient' });
  });
});

describe('generated sequences of failing answers: the direct request ends as the SDK client ends', () => {
  const menu: Record<string, Behaviour> = {
    ok: (s) => answer(s, 200, 'body', { 'content-type': 'application/json' }),
    slowDown: (s) => answer(s, 503, s3ErrorXml('SlowDown')),
    internalEmpty: (s) => answer(s, 500, ''),
    badGatewayBinary: (s) => answer(s, 502, Buffer.from([0, 255, 60, 62, 0])),
    denied: (s) => answer(s, 403, s3ErrorXml('AccessDenied')),
    missing: (s) => answer(s, 404, s3ErrorXml('NoSuchKey')),
    requestTimeout: (s) => answer(s, 400, s3ErrorXml('RequestTimeout')),
    resetBeforeHeaders: (s) => s.destroy(),
    redirect: (s) =>
      answer(s, 301, s3ErrorXml('PermanentRedirect'), { 'x-amz-bucket-region': 'ap-southeast-2' }),
    redirectNowhere: (s) => answer(s, 301, s3ErrorXml('PermanentRedirect')),
    deniedElsewhere: (s) =>
      answer(s, 403, s3ErrorXml('AccessDenied'), { 'x-amz-bucket-region': 'us-west-2' }),
    malformedElsewhere: (s) =>
      answer(s, 400, s3ErrorXml('AuthorizationHeaderMalformed'), { 'x-amz-bucket-region': 'us-west-2' }),
    locationElsewhere: (s) =>
      answer(s, 400, s3ErrorXml('IllegalLocationConstraintException'), {
        'x-amz-bucket-region': 'us-west-2',
      }),
    temporaryElsewhere: (s) =>
      answer(s, 307, s3ErrorXml('TemporaryRedirect'), { 'x-amz-bucket-region': 'us-west-2' }),
    tooMany: (s) => answer(s, 429, ''),
    cutInBody: (s) => {
      s.write(head(200, { 'content-length': 100 }));
      s.write('{"Records":[', () => setTimeout(() => s.destroy(), 20));
    },
    gatewayTimeoutHtml: (s) =>
      answer(s, 504, '<html><body>Gateway Timeout</body></html>', { 'content-type': 'text/html' }),
  };
  const names = Object.keys(menu);
  let sequence: string[] = [];
  const fake = new RawS3({});
  let endpoint: string;
  beforeAll(async () => {
    endpoint = await fake.start();
  });
  afterAll(() => fake.stop());

  /** Every path answers with the sequence in force, one answer per request. */
  const scripted = (path: string): void => {
    fake.script[path] = (socket, attempt, request) =>
      menu[sequence[attempt - 1] ?? 'ok']?.(socket, attempt, request);
  };

  const outcomeOf = async (path: string, read: () => Promise<AsyncIterable<unknown>>): Promise<string> => {
    scripted(path);
    fake.hits.delete(path);
    const result = await failureOrBody(read().then(drain));
    const requests = fake.hits.get(path)?.length ?? 0;
    if (result instanceof Buffer) return `read ${result.toString()} after ${requests}`;
    const facts = awsErrorFacts(result);
    return `${facts.kind} ${facts.httpStatus ?? '-'} after ${requests}`;
  };

  it('up to eight answers drawn from seventeen behaviours, one per request', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom(...names), { minLength: 1, maxLength: 8 }), async (drawn) => {
        sequence = drawn;
        const s3 = directAt(endpoint, { retry: NO_WAIT, idleTimeoutMs: IDLE_MS });
        const sdk = sdkS3Client(endpoint, {
          followRegionRedirects: true,
          requestHandler: { requestTimeout: IDLE_MS },
        });
        try {
          const ours = await outcomeOf('/b/direct.json', () => getObjectDirect(s3, 'b', 'direct.json'));
          const theirs = await outcomeOf('/b/sdk.json', () => openS3Object(sdk, 'b', 'sdk.json'));
          expect({ drawn, outcome: ours }).toEqual({ drawn, outcome: theirs });
        } finally {
          sdk.destroy();
        }
      }),
      {
        numRuns: 50,
        examples: [
          // Throttled before a redirect: the SDK asks the new region with three attempts anew.
          [['slowDown', 'redirect', 'internalEmpty', 'badGatewayBinary', 'ok']],
          // A region header on a 400 or 403 that is no location constraint: the SDK asks nowhere else.
          [['malformedElsewhere', 'ok']],
          [['deniedElsewhere', 'ok']],
          [['temporaryElsewhere', 'ok']],
          [['locationElsewhere', 'ok']],
        ],
      },
    );
  });
});

describe('an endpoint at an IPv6 address', () => {
  it('is reached, and signed for its bracketed host, as the SDK client reaches it', async (context) => {
    const hosts: string[] = [];
    const server = http.createServer((request, response) => {
      hosts.push(String(request.headers.host));
      response.end('from ::1');
    });
    const listening = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(0, '::1', () => resolve(true));
    });
    if (!listening) context.skip('no IPv6 loopback on this machine');
    try {
      const { port } = server.address() as AddressInfo;
      const endpoint = `http://[::1]:${port}`;
      const s3 = directAt(endpoint, { retry: NO_WAIT });
      const sdk = sdkS3Client(endpoint);
      const theirs = await openS3Object(sdk, 'b', 'k.json').then(drain, (error: unknown) => error);
      sdk.destroy();
      const ours = await getObjectDirect(s3, 'b', 'k.json').then(drain, (error: unknown) => error);
      expect(String(ours)).toBe(String(theirs));
      expect(String(ours)).toBe('from ::1');
      expect(hosts).toEqual([`[::1]:${port}`, `[::1]:${port}`]);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('throttling waits the throttling backoff, as the SDK classifies it', () => {
  const cases: { name: string; status: number; code?: string; throttled: boolean }[] = [
    { name: 'too-many-empty', status: 429, throttled: true },
    { name: 'slow-down', status: 503, code: 'SlowDown', throttled: true },
    { name: 'request-limit', status: 400, code: 'RequestLimitExceeded', throttled: true },
    { name: 'bandwidth', status: 400, code: 'BandwidthLimitExceeded', throttled: true },
    { name: 'internal', status: 500, code: 'InternalError', throttled: false },
    { name: 'unavailable', status: 503, code: 'ServiceUnavailable', throttled: false },
  ];
  const fake = new RawS3(
    Object.fromEntries(
      cases.map(({ name, status, code }) => [
        `/b/${name}.json`,
        ((socket, attempt) =>
          attempt === 1
            ? answer(socket, status, code === undefined ? '' : s3ErrorXml(code))
            : answer(socket, 200, 'ok')) satisfies Behaviour,
      ]),
    ),
  );
  let endpoint: string;
  beforeAll(async () => {
    endpoint = await fake.start();
  });
  afterAll(() => fake.stop());

  for (const { name, status, code, throttled } of cases) {
    it(`${status} ${code ?? '(no body)'}: ${throttled ? 'throttling' : 'not throttling'}`, async () => {
      const waits: boolean[] = [];
      const s3 = {
        ...(directS3({ region: 'eu-west-1', endpoint }, CREDENTIALS) as DirectS3),
        retry: {
          attempts: 3,
          delayMs: (_attempt: number, isThrottled: boolean) => {
            waits.push(isThrottled);
            return 0;
          },
        },
      };
      expect(String(await getObjectDirect(s3, 'b', `${name}.json`).then(drain))).toBe('ok');
      expect(waits).toEqual([throttled]);
    });
  }
});

describe('a local clock an hour slow', () => {
  /** S3 refuses a request signed more than 15 minutes from its own time, and says its time in Date. */
  const SKEW_MS = 60 * 60 * 1000;
  const S3_TOLERANCE_MS = 15 * 60 * 1000;
  const fromAmzDate = (stamp: string): number =>
    Date.parse(stamp.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'));
  const onServerTime: Behaviour = (socket, _attempt, request) => {
    const serverNow = Date.now() + SKEW_MS;
    const signedAt = fromAmzDate(request.headers['x-amz-date'] ?? '');
    if (Math.abs(signedAt - serverNow) > S3_TOLERANCE_MS) {
      answer(socket, 403, s3ErrorXml('RequestTimeTooSkewed'), { date: new Date(serverNow).toUTCString() });
    } else answer(socket, 200, 'on time', { date: new Date(serverNow).toUTCString() });
  };
  const fake = new RawS3({ '/b/direct.json': onServerTime, '/b/sdk.json': onServerTime });
  let endpoint: string;
  beforeAll(async () => {
    endpoint = await fake.start();
  });
  afterAll(() => fake.stop());

  it('is corrected from the Date S3 answers with, and the request signed anew, as the SDK client does', async () => {
    const sdk = sdkS3Client(endpoint);
    const theirs = await failureOrBody(openS3Object(sdk, 'b', 'sdk.json').then(drain));
    sdk.destroy();
    const s3 = directAt(endpoint, { retry: NO_WAIT });
    const ours = await failureOrBody(getObjectDirect(s3, 'b', 'direct.json').then(drain));
    expect(String(ours)).toBe(String(theirs));
    expect(String(ours)).toBe('on time');
    expect(fake.hits.get('/b/direct.json')).toHaveLength(fake.hits.get('/b/sdk.json')?.length ?? 0);
    // The correction is kept: the next read is signed on S3's time at once.
    await getObjectDirect(s3, 'b', 'direct.json').then(drain);
    expect(fake.hits.get('/b/direct.json')).toHaveLength(3);
  });
});
