import { describe, expect, it } from 'vitest';
import type { AwsErrorKind } from '../../lib/aws';
import { awsErrorFacts } from '../../lib/aws';

/** Errors shaped as the SDK v3 throws them (fields as `@smithy/smithy-client` sets them). */
function serviceError(name: string, fault: 'client' | 'server', status: number, extra = {}): Error {
  return Object.assign(new Error(`${name} from AWS`), {
    name,
    $fault: fault,
    $metadata: { httpStatusCode: status },
    ...extra,
  });
}

/** What the SDK throws when an answer is not JSON: JSON.parse's error, with the answer's status. */
function unparsable(status: number): Error {
  return Object.assign(new SyntaxError('Unexpected token \'<\', "<!doctype "... is not valid JSON'), {
    $metadata: { httpStatusCode: status, attempts: 3 },
  });
}

describe('awsErrorFacts: the kind decides whether it is retryable', () => {
  const cases: [string, unknown, AwsErrorKind][] = [
    [
      'a throttled call',
      serviceError('ThrottlingException', 'client', 400, { $retryable: { throttling: true } }),
      'transient',
    ],
    ['a server fault', serviceError('InternalFailure', 'server', 500), 'transient'],
    ['an unmodelled 503', serviceError('ServiceUnavailable', 'server', 503), 'transient'],
    [
      'a refused connection',
      Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
      'transient',
    ],
    ['an SDK timeout', Object.assign(new Error('timed out'), { name: 'TimeoutError' }), 'transient'],
    // moto_server has no LookupEvents: an HTML page with status 500, retried by the SDK already.
    ['an HTML page with status 500', unparsable(500), 'endpoint'],
    ['an HTML page with status 404', unparsable(404), 'endpoint'],
    ['a missing bucket', serviceError('NoSuchBucket', 'client', 404), 'refused'],
    ['denied access', serviceError('AccessDeniedException', 'client', 400), 'refused'],
    ['a bug of ours', new TypeError('x is undefined'), 'other'],
    ['a thrown string', 'boom', 'other'],
  ];
  for (const [name, error, kind] of cases) {
    it(`${name} is ${kind}${kind === 'transient' ? ', retryable' : ', not retryable'}`, () => {
      const facts = awsErrorFacts(error);
      expect(facts.kind).toBe(kind);
      expect(facts.retryable).toBe(kind === 'transient');
    });
  }
});

describe('awsErrorFacts: throttling, after which the SDK waits longer', () => {
  const cases: [string, unknown, boolean][] = [
    ['S3 SlowDown', serviceError('SlowDown', 'server', 503), true],
    ['an HTTP 429 with no code', serviceError('Http429', 'client', 429), true],
    ['RequestLimitExceeded', serviceError('RequestLimitExceeded', 'client', 400), true],
    ['an internal error', serviceError('InternalError', 'server', 500), false],
    ['a reset connection', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), false],
    ['a thrown string', 'boom', false],
  ];
  for (const [name, error, throttling] of cases) {
    it(`${name}: ${throttling ? 'throttling' : 'not throttling'}`, () => {
      expect(awsErrorFacts(error).throttling).toBe(throttling);
    });
  }
});
