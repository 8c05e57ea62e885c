/**
 * A delivery that could not start is retryable only when the error's kind says a retry can help:
 * a configuration error (a missing secret, a value of the wrong shape) never is.
 */
import {
  GetParameterError,
  ParameterNotFoundError,
  TransformParameterError,
} from '@aws-lambda-powertools/parameters/errors';
import {
  GetSecretValueCommand,
  InternalServiceError,
  ResourceNotFoundException,
  SecretsManagerClient,
  SecretsManagerServiceException,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { SecretError, SecretResolver } from '../../lib/notify';
import type { SetupFailureKind } from '../../lib/notify/setup-failure';
import { setupFailureKind } from '../../lib/notify/setup-failure';
import { setupFailure } from '../../lib/notify/types';

const $metadata = (httpStatusCode: number) => ({ $metadata: { httpStatusCode } });

/** What GetSecretValue throws for an unknown secret (HTTP 400, client fault). */
const notFound = new ResourceNotFoundException({
  message: "Secrets Manager can't find the specified secret.",
  ...$metadata(400),
});
/** An unmodelled throttling answer, as the SDK builds it from the error code. */
const throttled = new SecretsManagerServiceException({
  name: 'ThrottlingException',
  $fault: 'client',
  message: 'Rate exceeded',
  ...$metadata(400),
});
const serverFault = new InternalServiceError({
  message: 'An error occurred on the server side.',
  ...$metadata(500),
});
const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
const decryptionFailure = new SecretsManagerServiceException({
  name: 'DecryptionFailure',
  $fault: 'client',
  message: "Secrets Manager can't decrypt the protected secret text using the provided KMS key.",
  ...$metadata(400),
});

const cyclic = new SecretError('cannot read Secrets Manager secret loop');
Object.defineProperty(cyclic, 'cause', { value: cyclic });

const cases: [string, unknown, SetupFailureKind][] = [
  [
    'an environment variable that is not set',
    new SecretError('environment variable SLACK_URL is not set'),
    'configuration',
  ],
  [
    'a missing secret, its SDK error lost',
    new SecretError('cannot read Secrets Manager secret x'),
    'configuration',
  ],
  [
    'a missing secret (ResourceNotFoundException)',
    new SecretError('cannot read x', { cause: notFound }),
    'configuration',
  ],
  [
    'a secret the role may not decrypt (DecryptionFailure)',
    new SecretError('cannot read x', { cause: decryptionFailure }),
    'configuration',
  ],
  [
    'a missing SSM parameter (Powertools)',
    new ParameterNotFoundError('parameter /x not found'),
    'configuration',
  ],
  [
    'a secret that is not JSON, read with a key',
    new SyntaxError('Unexpected token h in JSON at position 0'),
    'configuration',
  ],
  [
    'a Powertools transform of the wrong shape',
    new TransformParameterError('json', 'Unexpected token'),
    'configuration',
  ],
  ['a non-Error thrown value', 'no webhook configured', 'configuration'],
  ['a cause chain that loops', cyclic, 'configuration'],
  ['throttling', new SecretError('cannot read x', { cause: throttled }), 'transient'],
  ['a server fault', new SecretError('cannot read x', { cause: serverFault }), 'transient'],
  ['a refused connection', new SecretError('cannot read x', { cause: refused }), 'transient'],
  [
    'throttling two wrappers down (SecretError > Powertools GetParameterError > SDK)',
    new SecretError('cannot read x', { cause: new GetParameterError('Rate exceeded', { cause: throttled }) }),
    'transient',
  ],
];

describe('setupFailureKind', () => {
  it.each(cases)('%s: %s', (_name, error, kind) => {
    expect(setupFailureKind(error)).toBe(kind);
  });
});

describe('setupFailure', () => {
  it.each(cases)('%s: retryable only when transient', (_name, error, kind) => {
    const result = setupFailure(error);
    expect(result).toMatchObject({ ok: false, attempts: 0, retryable: kind === 'transient' });
  });

  it('keeps the error text, which names the reference and never the value', () => {
    expect(setupFailure(new SecretError('environment variable SLACK_URL is not set'))).toMatchObject({
      error: 'environment variable SLACK_URL is not set',
    });
  });
});

describe('SecretResolver failures, classified end to end', () => {
  // The resolver wraps what the provider threw: the wrapper must keep it as its cause, or a
  // throttled Secrets Manager would read as a missing secret and the alert would not be retried.
  const resolverFailingWith = (error: Error): SecretResolver => {
    const client = new SecretsManagerClient({ region: 'us-east-1', maxAttempts: 1 });
    mockClient(client).on(GetSecretValueCommand).rejects(error);
    return new SecretResolver({ secretsManager: client, maxAgeSeconds: 0 });
  };

  it.each([
    ['throttled', throttled, 'transient'],
    ['a server fault', serverFault, 'transient'],
    ['a secret that does not exist', notFound, 'configuration'],
  ] as const)('%s: %s', async (_name, error, kind) => {
    const failure = await resolverFailingWith(error)
      .resolve({ secretsmanager: 'trailwatch/slack' })
      .then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
    expect(failure).toBeInstanceOf(SecretError);
    expect(setupFailureKind(failure)).toBe(kind);
  });
});
