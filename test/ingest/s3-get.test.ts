import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  IAMClient,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SignatureV4 } from '@smithy/signature-v4';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { awsErrorFacts } from '../../lib/aws';
import type { ReadResult } from '../../lib/ingest';
import { readRecords } from '../../lib/ingest';
import { encodeKey, signedGetRequest } from '../../lib/ingest/s3-direct-request';
import type { DirectS3 } from '../../lib/ingest/s3-direct-settings';
import { directS3 } from '../../lib/ingest/s3-direct-settings';
import { getObjectDirect } from '../../lib/ingest/s3-get';
import { cloudTrailLines, cutAfter, FAKE_S3_ENV, FakeS3, s3Error } from '../helpers/fake-s3';
import {
  MOTO_CREDENTIALS,
  MOTO_SKIP_MESSAGE,
  type Moto,
  motoAvailable,
  motoS3Client,
  startMoto,
} from '../helpers/moto';
import { EMPTY_BODY_SHA256, Sha256 } from '../helpers/sdk-signer';

/**
 * The direct GetObject (aws4 signing, node:http) that spares Lambda cold starts the S3 client: it
 * must sign as the SDK signs, address as the SDK addresses, and fail, retry and follow redirects as
 * the SDK does. Checked against the SDK's own signer on generated keys, against moto_server (which
 * verifies SigV4 signatures when its IAM checks are on), and against a local HTTP server that fails
 * in each documented way.
 */

const CREDENTIALS = FAKE_S3_ENV;

describe('directS3 is used only where the SDK would send the same request as the same principal', () => {
  const cases: {
    name: string;
    env: Record<string, string>;
    endpoint?: string;
    region?: string;
    direct: boolean;
  }[] = [
    { name: 'Lambda: role credentials in the environment', env: CREDENTIALS, direct: true },
    {
      name: 'with a session token',
      env: { ...CREDENTIALS, AWS_SESSION_TOKEN: 'token' },
      direct: true,
    },
    { name: 'no credentials in the environment (profile, SSO, IMDS)', env: {}, direct: false },
    { name: 'only the key id', env: { AWS_ACCESS_KEY_ID: 'AKID' }, direct: false },
    {
      name: 'AWS_PROFILE set: the SDK skips environment keys',
      env: { ...CREDENTIALS, AWS_PROFILE: 'p' },
      direct: false,
    },
    { name: 'FIPS endpoints', env: { ...CREDENTIALS, AWS_USE_FIPS_ENDPOINT: 'true' }, direct: false },
    {
      name: 'dual-stack endpoints',
      env: { ...CREDENTIALS, AWS_USE_DUALSTACK_ENDPOINT: 'true' },
      direct: false,
    },
    {
      name: 'an S3 endpoint from the environment',
      env: { ...CREDENTIALS, AWS_ENDPOINT_URL_S3: 'http://x' },
      direct: false,
    },
    {
      name: 'a global endpoint from the environment',
      env: { ...CREDENTIALS, AWS_ENDPOINT_URL: 'http://x' },
      direct: false,
    },
    { name: 'an explicit endpoint', env: CREDENTIALS, endpoint: 'http://127.0.0.1:9000', direct: true },
    { name: 'an endpoint that is no URL', env: CREDENTIALS, endpoint: 'not a url', direct: false },
    { name: 'an endpoint of another scheme', env: CREDENTIALS, endpoint: 'ftp://h', direct: false },
    { name: 'GovCloud', env: CREDENTIALS, region: 'us-gov-west-1', direct: true },
    { name: 'China', env: CREDENTIALS, region: 'cn-north-1', direct: true },
    { name: 'an ISO partition', env: CREDENTIALS, region: 'us-iso-east-1', direct: false },
    { name: 'the European Sovereign Cloud', env: CREDENTIALS, region: 'eusc-de-east-1', direct: false },
    { name: 'a region that is no region', env: CREDENTIALS, region: 'x/../y', direct: false },
  ];
  for (const { name, env, endpoint, region, direct } of cases) {
    it(name, () => {
      const settings = { region: region ?? 'eu-west-1', ...(endpoint === undefined ? {} : { endpoint }) };
      expect(directS3(settings, env) !== undefined).toBe(direct);
    });
  }
});

/** Keys as CloudTrail and people write them, and hostile ones: any text of whole characters. */
const keyArbitrary = fc.oneof(
  fc.string({
    unit: fc.constantFrom(...'aZ09-_.~/ +%?#&=!\'()*@:;,$[]{}|^`"<>\\é日😀\t'),
    minLength: 1,
    maxLength: 40,
  }),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }),
);
const bucketArbitrary = fc.constantFrom(
  'trail-logs',
  'my.dotted.bucket',
  'Legacy_Bucket',
  '192.168.1.1',
  'abc',
);

describe('the direct request is signed as the SDK signs it', () => {
  it('for generated keys, buckets, regions and session tokens (the SDK signer agrees on every header)', async () => {
    await fc.assert(
      fc.asyncProperty(
        keyArbitrary,
        bucketArbitrary,
        fc.constantFrom('us-east-1', 'eu-west-1', 'cn-north-1', 'us-gov-west-1'),
        fc.option(fc.constantFrom('FwoGZXIvYXdzEJr//////////wEaDG+token=', 'short'), { nil: undefined }),
        fc.boolean(),
        async (key, bucket, region, sessionToken, withEndpoint) => {
          const env = {
            ...CREDENTIALS,
            ...(sessionToken === undefined ? {} : { AWS_SESSION_TOKEN: sessionToken }),
          };
          const s3 = directS3(
            { region, ...(withEndpoint ? { endpoint: 'http://127.0.0.1:4566' } : {}) },
            env,
          ) as DirectS3;
          const now = new Date(Date.UTC(2024, 4, 1, 12, 34, 56));
          const ours = await signedGetRequest(s3, region, bucket, key, now);
          const signer = new SignatureV4({
            service: 's3',
            region,
            credentials: {
              accessKeyId: CREDENTIALS.AWS_ACCESS_KEY_ID,
              secretAccessKey: CREDENTIALS.AWS_SECRET_ACCESS_KEY,
              ...(sessionToken === undefined ? {} : { sessionToken }),
            },
            sha256: Sha256,
            // The SDK's S3 client hands the signer a path its serializer already encoded.
            uriEscapePath: false,
          });
          const host = ours.port === undefined ? ours.hostname : `${ours.hostname}:${ours.port}`;
          const theirs = await signer.sign(
            {
              method: 'GET',
              protocol: ours.secure ? 'https:' : 'http:',
              hostname: ours.hostname,
              path: ours.path,
              query: {},
              headers: { host, 'x-amz-content-sha256': EMPTY_BODY_SHA256 },
            },
            { signingDate: now },
          );
          expect(ours.headers.Authorization).toBe(theirs.headers.authorization);
          if (sessionToken !== undefined) expect(ours.headers['X-Amz-Security-Token']).toBe(sessionToken);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('encodes every byte but the unreserved characters, keeping slashes, as the SDK serializer does', () => {
    expect(encodeKey("AWSLogs/o-abc/1/CloudTrail/a b+c%d!'()*~é")).toBe(
      'AWSLogs/o-abc/1/CloudTrail/a%20b%2Bc%25d%21%27%28%29%2A~%C3%A9',
    );
    expect(encodeKey('//double//')).toBe('//double//');
  });

  const addressing: { bucket: string; region: string; host: string; path: string }[] = [
    { bucket: 'trail-logs', region: 'eu-west-1', host: 'trail-logs.s3.eu-west-1.amazonaws.com', path: '/k' },
    {
      bucket: 'my.dotted.bucket',
      region: 'eu-west-1',
      host: 's3.eu-west-1.amazonaws.com',
      path: '/my.dotted.bucket/k',
    },
    {
      bucket: 'Legacy_Bucket',
      region: 'us-east-1',
      host: 's3.us-east-1.amazonaws.com',
      path: '/Legacy_Bucket/k',
    },
    {
      bucket: 'trail-logs',
      region: 'cn-north-1',
      host: 'trail-logs.s3.cn-north-1.amazonaws.com.cn',
      path: '/k',
    },
    {
      bucket: '192.168.1.1',
      region: 'eu-west-1',
      host: 's3.eu-west-1.amazonaws.com',
      path: '/192.168.1.1/k',
    },
  ];
  for (const { bucket, region, host, path } of addressing) {
    it(`addresses ${bucket} in ${region} at ${host}${path}`, async () => {
      const s3 = directS3({ region }, CREDENTIALS) as DirectS3;
      const request = await signedGetRequest(s3, region, bucket, 'k');
      expect({ secure: request.secure, host: request.hostname, path: request.path }).toEqual({
        secure: true,
        host,
        path,
      });
    });
  }
});

describe('the direct request fails, retries and follows redirects as the SDK does', () => {
  const fake = new FakeS3({
    '/b/ok.json': (_n, r) => r.end(cloudTrailLines(3)),
    '/b/slow-down-twice.json': (n, r) => (n <= 2 ? s3Error(r, 503, 'SlowDown') : r.end(cloudTrailLines(2))),
    '/b/internal.json': (_n, r) => s3Error(r, 500, 'InternalError'),
    '/b/denied.json': (_n, r) => s3Error(r, 403, 'AccessDenied', { message: 'AccessDenied &amp; more' }),
    '/b/missing.json': (_n, r) => s3Error(r, 404, 'NoSuchKey'),
    '/b/html-gateway.json': (_n, r) => {
      r.writeHead(502, { 'content-type': 'text/html' });
      r.end('<html><body>Bad Gateway</body></html>');
    },
    '/b/elsewhere.json': (n, r) =>
      n === 1
        ? s3Error(r, 301, 'PermanentRedirect', { headers: { 'x-amz-bucket-region': 'ap-southeast-2' } })
        : r.end(cloudTrailLines(1)),
    '/b/redirect-loop.json': (_n, r) =>
      s3Error(r, 301, 'PermanentRedirect', { headers: { 'x-amz-bucket-region': 'ap-southeast-2' } }),
    '/b/stalls.json': (_n, r) => {
      r.writeHead(200, { 'content-length': '100000' });
      r.write(cloudTrailLines(2));
    },
    '/b/cut-mid-stream.json': (_n, r) => cutAfter(r, 4, 10),
  });
  let s3: DirectS3;
  const noWait = { attempts: 3, delayMs: () => 0 };

  beforeAll(async () => {
    const endpoint = await fake.start();
    s3 = {
      ...(directS3({ region: 'eu-west-1', endpoint }, CREDENTIALS) as DirectS3),
      retry: noWait,
      idleTimeoutMs: 300,
    };
  });
  afterAll(() => fake.stop());

  const text = async (key: string): Promise<string> => {
    const body = await getObjectDirect(s3, 'b', key);
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  };
  const failure = async (key: string): Promise<unknown> =>
    text(key).then(
      () => undefined,
      (error: unknown) => error,
    );

  it('reads the body', async () => {
    expect(await text('ok.json')).toBe(cloudTrailLines(3));
  });

  it('retries throttling and succeeds on the third attempt', async () => {
    expect(await text('slow-down-twice.json')).toBe(cloudTrailLines(2));
    expect(fake.hits.get('/b/slow-down-twice.json')).toHaveLength(3);
  });

  const failures: { key: string; code: string; status: number; kind: string; requests: number }[] = [
    { key: 'internal.json', code: 'InternalError', status: 500, kind: 'transient', requests: 3 },
    { key: 'denied.json', code: 'AccessDenied', status: 403, kind: 'refused', requests: 1 },
    { key: 'missing.json', code: 'NoSuchKey', status: 404, kind: 'refused', requests: 1 },
    { key: 'html-gateway.json', code: 'Http502', status: 502, kind: 'transient', requests: 3 },
    { key: 'redirect-loop.json', code: 'PermanentRedirect', status: 301, kind: 'refused', requests: 2 },
  ];
  for (const { key, code, status, kind, requests } of failures) {
    it(`${key}: ${code} (HTTP ${status}), ${kind}, after ${requests} request(s)`, async () => {
      const error = await failure(key);
      expect(awsErrorFacts(error)).toMatchObject({ code, httpStatus: status, kind });
      expect(fake.hits.get(`/b/${key}`)).toHaveLength(requests);
    });
  }

  it('decodes the XML entities of S3 error messages', async () => {
    expect((await failure('denied.json')) as Error).toHaveProperty('message', 'AccessDenied & more');
  });

  it('asks the region S3 names for the bucket once, signed for that region', async () => {
    expect(await text('elsewhere.json')).toBe(cloudTrailLines(1));
    const [first, second] = fake.hits.get('/b/elsewhere.json') ?? [];
    expect(first?.headers.authorization).toMatch(/\/eu-west-1\/s3\/aws4_request/);
    expect(second?.headers.authorization).toMatch(/\/ap-southeast-2\/s3\/aws4_request/);
  });

  it('gives up on a refused connection after three attempts, as a transient failure', async () => {
    // A port that was just listened on and closed: nothing answers there.
    const probe = new FakeS3({});
    const endpoint = await probe.start();
    await probe.stop();
    const unreachable = {
      ...(directS3({ region: 'eu-west-1', endpoint }, CREDENTIALS) as DirectS3),
      retry: noWait,
    };
    const error = await getObjectDirect(unreachable, 'b', 'k').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(awsErrorFacts(error)).toMatchObject({ code: 'ECONNREFUSED', kind: 'transient' });
  });

  it('fails a body that stalls as a network timeout, not a hang', async () => {
    const error = await failure('stalls.json');
    expect(awsErrorFacts(error)).toMatchObject({ code: 'ETIMEDOUT', kind: 'transient' });
  });

  it('surfaces a connection cut inside the body from the stream, as transient', async () => {
    const error = await failure('cut-mid-stream.json');
    expect(awsErrorFacts(error).kind).toBe('transient');
  });
});

describe('the reader over the direct request reports S3 failures at their place', () => {
  const fake = new FakeS3({
    '/b/throttled.json': (_n, r) => s3Error(r, 503, 'SlowDown'),
    '/b/missing.json': (_n, r) => s3Error(r, 404, 'NoSuchKey'),
    '/b/cut-mid-stream.json': (_n, r) => cutAfter(r, 4, 10),
  });
  let endpoint: string;
  beforeAll(async () => {
    endpoint = await fake.start();
  });
  afterAll(() => fake.stop());
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  const read = async (key: string): Promise<ReadResult[]> => {
    for (const [name, value] of Object.entries(CREDENTIALS)) vi.stubEnv(name, value);
    vi.stubEnv('AWS_PROFILE', undefined);
    const results: ReadResult[] = [];
    for await (const result of readRecords([{ kind: 's3-object', bucket: 'b', key }], {
      s3: { endpoint, region: 'eu-west-1' },
    }))
      results.push(result);
    return results;
  };

  const cases: { key: string; records: number; fault: string; message: RegExp }[] = [
    { key: 'throttled.json', records: 0, fault: 'transient', message: /^SlowDown \(HTTP 503\)/ },
    { key: 'missing.json', records: 0, fault: 'source', message: /^NoSuchKey \(HTTP 404\)/ },
    { key: 'cut-mid-stream.json', records: 4, fault: 'transient', message: /./ },
  ];
  for (const { key, records, fault, message } of cases) {
    it(`${key}: ${records} record(s), then a ${fault} problem naming the object`, async () => {
      const results = await read(key);
      expect(results.filter((r) => r.kind === 'record')).toHaveLength(records);
      const problems = results.flatMap((r) => (r.kind === 'problem' ? [r] : []));
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatchObject({ fault, origin: { bucket: 'b', key } });
      expect(problems[0]?.message).toMatch(message);
    });
  }

  it('a key no URL can carry (a lone surrogate) is a problem at its object, not a crash', async () => {
    const results = await read('bad-\uD800-key.json');
    expect(results.filter((r) => r.kind === 'problem')).toHaveLength(1);
  });
});

describe.skipIf(!motoAvailable)('against moto_server', () => {
  if (!motoAvailable) console.warn(MOTO_SKIP_MESSAGE);

  describe('which stores what the SDK wrote under any key', () => {
    let moto: Moto;
    let client: S3Client;
    beforeAll(async () => {
      moto = await startMoto();
      client = motoS3Client(moto);
      await client.send(new CreateBucketCommand({ Bucket: 'direct-get' }));
    });
    afterAll(async () => {
      client?.destroy();
      await moto?.stop();
    });

    it('reads back every generated key byte for byte', async () => {
      const env = { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' };
      const s3 = directS3({ region: 'us-east-1', endpoint: moto.endpoint }, env) as DirectS3;
      await fc.assert(
        fc.asyncProperty(
          // moto's own routing cannot store keys that end in a slash or hold `//`; S3 can.
          keyArbitrary.filter((k) => !k.endsWith('/') && !k.includes('//') && !k.startsWith('/')),
          fc.uint8Array({ maxLength: 2000 }),
          async (key, body) => {
            await client.send(new PutObjectCommand({ Bucket: 'direct-get', Key: key, Body: body }));
            const stream = await getObjectDirect(s3, 'direct-get', key);
            const chunks: Buffer[] = [];
            for await (const chunk of stream) chunks.push(chunk as Buffer);
            expect(Buffer.concat(chunks).equals(Buffer.from(body))).toBe(true);
          },
        ),
        { numRuns: 40 },
      );
    });
  });

  describe('which verifies SigV4 signatures when its IAM checks are on', () => {
    let moto: Moto;
    let env: Record<string, string>;
    beforeAll(async () => {
      // The first requests (user, key, policy) pass unauthenticated; every later one is checked.
      moto = await startMoto({ env: { INITIAL_NO_AUTH_ACTION_COUNT: '3' } });
      const iam = new IAMClient({
        region: 'us-east-1',
        endpoint: moto.endpoint,
        credentials: MOTO_CREDENTIALS,
      });
      await iam.send(new CreateUserCommand({ UserName: 'reader' }));
      const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'reader' }));
      await iam.send(
        new PutUserPolicyCommand({
          UserName: 'reader',
          PolicyName: 'all',
          PolicyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
          }),
        }),
      );
      iam.destroy();
      env = {
        AWS_ACCESS_KEY_ID: AccessKey?.AccessKeyId ?? '',
        AWS_SECRET_ACCESS_KEY: AccessKey?.SecretAccessKey ?? '',
      };
      const client = new S3Client({
        region: 'us-east-1',
        endpoint: moto.endpoint,
        forcePathStyle: true,
        credentials: {
          accessKeyId: env.AWS_ACCESS_KEY_ID ?? '',
          secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? '',
        },
      });
      await client.send(new CreateBucketCommand({ Bucket: 'signed-get' }));
      await client.send(
        new PutObjectCommand({ Bucket: 'signed-get', Key: 'AWSLogs/1/a b.json', Body: 'signed' }),
      );
      client.destroy();
    });
    afterAll(() => moto?.stop());

    it('accepts the direct request signed with the right secret', async () => {
      const s3 = directS3({ region: 'us-east-1', endpoint: moto.endpoint }, env) as DirectS3;
      const chunks: Buffer[] = [];
      for await (const chunk of await getObjectDirect(s3, 'signed-get', 'AWSLogs/1/a b.json'))
        chunks.push(chunk as Buffer);
      expect(Buffer.concat(chunks).toString()).toBe('signed');
    });

    it('refuses it signed with another secret (so the check above can fail)', async () => {
      const s3 = directS3(
        { region: 'us-east-1', endpoint: moto.endpoint },
        { ...env, AWS_SECRET_ACCESS_KEY: 'not-the-secret' },
      ) as DirectS3;
      const error = await getObjectDirect(s3, 'signed-get', 'AWSLogs/1/a b.json').then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(awsErrorFacts(error)).toMatchObject({
        code: 'SignatureDoesNotMatch',
        httpStatus: 403,
        kind: 'refused',
      });
    });
  });
});
