/**
 * Starts a private moto_server (the AWS API emulator) on a free loopback port for one test file.
 * The port is chosen, then bound by moto_server; if another process takes it in between, another
 * port is tried (see spawnOnPort).
 * Where moto_server is not installed, `motoAvailable` is false and the suites skip with a message.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { get as httpGet } from 'node:http';
import { Agent as HttpsAgent, get as httpsGet } from 'node:https';
import { createServer } from 'node:net';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

export const MOTO_COMMAND = process.env.MOTO_SERVER ?? 'moto_server';
export const motoAvailable = spawnSync(MOTO_COMMAND, ['--help'], { stdio: 'ignore' }).status === 0;
export const MOTO_SKIP_MESSAGE = `moto_server not found (set MOTO_SERVER or install moto[server]); S3 integration tests skipped`;

/** Credentials moto accepts; never real ones. */
export const MOTO_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' } as const;
const START_TIMEOUT_MS = 30_000;

export interface Moto {
  readonly endpoint: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface MotoOptions {
  /** Extra environment for the server, e.g. MOTO_IAM_LOAD_MANAGED_POLICIES=true for AWS managed policies. */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * One request at a time. moto_server answers requests on threads and its DynamoDB backend takes
   * no lock, so two conditional writes racing on one item can both pass their condition, which
   * DynamoDB itself never allows. Suites that test claims under concurrency need the atomicity
   * DynamoDB guarantees: this runs moto's own server entry point with threading off (through the
   * Python that has moto), and falls back to moto_server, with a warning, where it cannot.
   */
  readonly serial?: boolean;
  /**
   * Serve HTTPS with this certificate and key (PEM files) instead of plain HTTP, as AWS's endpoints
   * do: for measurements that must pay for TLS as a Lambda function does. Clients must trust the
   * certificate (`NODE_EXTRA_CA_CERTS`, or an agent's `ca`).
   */
  readonly tls?: { readonly certFile: string; readonly keyFile: string };
}

/** moto's server entry point with werkzeug's threading off: requests are then handled in turn. */
const SERIAL_MOTO = `
import sys
import moto.server as server
original = server.run_simple
server.run_simple = lambda *args, **kwargs: original(*args, **{**kwargs, "threaded": False})
server.main(sys.argv[1:])
`;
const PYTHON = process.env.MOTO_PYTHON ?? 'python3';
const serialAvailable =
  spawnSync(PYTHON, ['-c', 'import moto.server, werkzeug.serving'], { stdio: 'ignore' }).status === 0;

function serverCommand(serial: boolean): [string, string[]] {
  if (serial && serialAvailable) return [PYTHON, ['-c', SERIAL_MOTO]];
  if (serial)
    console.warn(
      `${PYTHON} cannot import moto: moto_server runs threaded, so racing conditional writes may both pass`,
    );
  return [MOTO_COMMAND, []];
}

/** How many ports to try when another process takes the chosen one before moto_server binds it. */
const BIND_ATTEMPTS = 5;
/** What werkzeug prints once its socket is bound, and what it prints when the port is taken. */
const BOUND = /Running on https?:\/\/127\.0\.0\.1:(\d+)/;
const PORT_TAKEN = /Address already in use|is in use by another program/;
/** The last stderr kept to explain a failed start. */
const STDERR_TAIL_CHARS = 2000;

class PortTakenError extends Error {}

/** The HTTP status of a GET, trusting the given certificate for HTTPS (fetch cannot be told to). */
function probeStatus(url: string, certFile: string | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = url.startsWith('https:')
      ? httpsGet(url, { ...(certFile ? { ca: readFileSync(certFile) } : {}) }, onResponse)
      : httpGet(url, onResponse);
    function onResponse(response: IncomingMessage): void {
      response.resume();
      resolve(response.statusCode ?? 0);
    }
    request.once('error', reject);
  });
}

/**
 * Starts moto_server on `port` and resolves once this child, not some other process, has bound it:
 * moto_server cannot bind port 0 and report the port, so a free port is chosen first, and between
 * choosing and binding another process may take it. werkzeug says which happened on stderr
 * ("Running on …" after binding, "Address already in use" before exiting); an HTTP probe alone
 * could be answered by whoever took the port.
 */
async function spawnOnPort(port: number, options: MotoOptions): Promise<Moto> {
  const endpoint = `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  const [command, prefix] = serverCommand(options.serial === true);
  const tlsArgs = options.tls ? ['-c', options.tls.certFile, '-k', options.tls.keyFile] : [];
  const child: ChildProcess = spawn(command, [...prefix, '-H', '127.0.0.1', '-p', String(port), ...tlsArgs], {
    // stderr is read for the bind outcome, then drained: moto logs every request there.
    stdio: ['ignore', 'ignore', 'pipe'],
    ...(options.env ? { env: { ...process.env, ...options.env } } : {}),
  });
  let stderr = '';
  const bound = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`moto_server did not bind ${endpoint} within ${START_TIMEOUT_MS} ms: ${stderr}`));
    }, START_TIMEOUT_MS);
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_TAIL_CHARS);
      if (BOUND.exec(stderr)?.[1] === String(port)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(
        PORT_TAKEN.test(stderr)
          ? new PortTakenError(`port ${port} was taken before moto_server bound it`)
          : new Error(`moto_server exited with code ${code}: ${stderr}`),
      );
    });
  });
  await bound;
  // Bound, and werkzeug serves as soon as it has said so; one probe confirms moto answers.
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    try {
      if ((await probeStatus(`${endpoint}/moto-api/`, options.tls?.certFile)) < 500) break;
    } catch {
      // not serving yet
    }
    if (child.exitCode !== null) throw new Error(`moto_server exited with code ${child.exitCode}: ${stderr}`);
    if (Date.now() > deadline) {
      child.kill();
      throw new Error(`moto_server bound ${endpoint} but did not answer within ${START_TIMEOUT_MS} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    endpoint,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export interface MotoStartOptions extends MotoOptions {
  /** Chooses the port to try (default: one the kernel says is free now); tests force a taken one. */
  readonly choosePort?: () => Promise<number>;
  /** Ports to try before giving up (default 5). */
  readonly bindAttempts?: number;
}

/** Starts a private moto_server on a free loopback port, trying another port if one is taken first. */
export async function startMoto(options: MotoStartOptions = {}): Promise<Moto> {
  const choose = options.choosePort ?? freePort;
  for (let attempt = 1; ; attempt++) {
    try {
      return await spawnOnPort(await choose(), options);
    } catch (error) {
      if (!(error instanceof PortTakenError) || attempt >= (options.bindAttempts ?? BIND_ATTEMPTS))
        throw error;
    }
  }
}

/**
 * Points the SDK's default credential chain at moto's dummy credentials; the returned function puts
 * the previous values back (call it in afterAll).
 */
export function useMotoCredentials(): () => void {
  const saved = {
    AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY,
  };
  process.env.AWS_ACCESS_KEY_ID = MOTO_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = MOTO_CREDENTIALS.secretAccessKey;
  return () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}

/** An S3 client for the emulator: path-style, with its dummy credentials. */
export function motoS3Client(moto: Moto, ca?: Buffer): S3Client {
  return new S3Client({
    region: 'us-east-1',
    endpoint: moto.endpoint,
    forcePathStyle: true,
    credentials: MOTO_CREDENTIALS,
    // A moto_server started with `tls` is trusted through its certificate.
    ...(ca === undefined ? {} : { requestHandler: { httpsAgent: new HttpsAgent({ ca }) } }),
  });
}

/** Creates the bucket and puts the objects, a few at a time. */
export async function seedBucket(
  client: S3Client,
  bucket: string,
  objects: readonly { readonly key: string; readonly body: Buffer }[],
): Promise<void> {
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  for (let i = 0; i < objects.length; i += SEED_PARALLELISM) {
    await Promise.all(
      objects
        .slice(i, i + SEED_PARALLELISM)
        .map((object) =>
          client.send(new PutObjectCommand({ Bucket: bucket, Key: object.key, Body: object.body })),
        ),
    );
  }
}
const SEED_PARALLELISM = 16;
