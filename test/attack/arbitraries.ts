/**
 * fast-check arbitraries for hostile CloudTrail data: strings that try to act on a terminal or break
 * a JSON encoder, JSON values of any type and shape, and records built from a valid base with any
 * of their fields replaced by such values.
 */
import fc from 'fast-check';

/** Characters that matter to terminals, JSON encoders and text layout. */
const NASTY_CHARACTERS = [
  '\u0000',
  '\u0007',
  '\u0008',
  '\t',
  '\n',
  '\r',
  '\u001b',
  '\u001b[31m',
  '\u001b]8;;http://evil\u0007',
  '\u007f',
  '\u0085',
  '\u009b',
  '\u061c',
  '\u200e',
  '\u2028',
  '\u2029',
  '\u202e',
  '\u2066',
  '\ud800', // lone high surrogate
  '\udfff', // lone low surrogate
  '\ud83d\ude00',
  '\ufeff',
  '\\',
  '"',
  '*',
  '_',
  '~',
  '`',
  '<!channel>',
  '%',
  '__proto__',
  'constructor',
];

/** Any UTF-16 code unit, lone surrogates included. */
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code));

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .array(fc.oneof(fc.constantFrom(...NASTY_CHARACTERS), codeUnit), { maxLength: 12 })
      .map((parts) => parts.join('')),
  },
  { weight: 1, arbitrary: fc.string() },
  {
    weight: 1,
    arbitrary: fc.constantFrom('', ' ', 'null', 'undefined', 'toString', 'arn:aws:iam::1:user/x'),
  },
);

/** A long string (kilobytes to about a megabyte) of one repeated hostile piece. */
export const hugeString: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom('A', '\u001b', '\n', '\ud800', '"\\'), fc.integer({ min: 1_000, max: 400_000 }))
  .map(([piece, times]) => piece.repeat(times));

/** Objects nested `depth` levels deep under key `k`, alternating objects and arrays when `mixed`. */
export function nested(depth: number, mixed: boolean, leaf: unknown = 'x'): unknown {
  let value: unknown = leaf;
  for (let i = 0; i < depth; i++) value = mixed && i % 2 === 1 ? [value] : { k: value };
  return value;
}

const hostileKey = fc.oneof(
  hostileString,
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'ARN'),
);

/** Any JSON value, with hostile strings as keys and values. */
export const hostileJson: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    hostileString,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(hostileKey, tie('value'), { maxKeys: 4 }),
  ),
})).value;

/** A field's value: any JSON, sometimes huge or deeply nested (under the readers' nesting limit). */
export const hostileFieldValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: hostileJson },
  { weight: 1, arbitrary: hugeString },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.integer({ min: 50, max: 400 }), fc.boolean(), hostileString)
      .map(([depth, mixed, leaf]) => nested(depth, mixed, leaf)),
  },
);

/** Fields a record may lack or hold with any type; the reader must pass the record on. */
export const OPTIONAL_FIELDS = [
  'userIdentity.type',
  'userIdentity.arn',
  'userIdentity.userName',
  'userIdentity.accountId',
  'userIdentity.sessionContext',
  'userIdentity.sessionContext.sessionIssuer',
  'userIdentity.sessionContext.sessionIssuer.arn',
  'sourceIPAddress',
  'userAgent',
  'errorCode',
  'errorMessage',
  'requestParameters',
  'requestParameters.userName',
  'requestParameters.policyDocument',
  'responseElements',
  'resources',
  'recipientAccountId',
  'readOnly',
  'managementEvent',
  'additionalEventData',
  'tlsDetails',
  'sharedEventID',
  'vpcEndpointId',
  '__proto__',
  'constructor',
] as const;

export const BASE_PROBE: Readonly<Record<string, unknown>> = {
  eventVersion: '1.09',
  eventTime: '2026-11-30T10:00:00Z',
  eventSource: 'probe.amazonaws.com',
  eventName: 'Probe',
  awsRegion: 'us-east-1',
  recipientAccountId: '111122223333',
  sourceIPAddress: '203.0.113.10',
  userAgent: 'aws-cli/2',
  userIdentity: {
    type: 'AssumedRole',
    arn: 'arn:aws:sts::111122223333:assumed-role/Admin/alice',
    accountId: '111122223333',
    sessionContext: { sessionIssuer: { arn: 'arn:aws:iam::111122223333:role/Admin' } },
  },
};

/** Sets `path` (dotted) in a JSON object, creating objects on the way, with own properties only. */
export function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let cursor: Record<string, unknown> = target;
  for (const part of parts.slice(0, -1)) {
    const next = Object.hasOwn(cursor, part) ? cursor[part] : undefined;
    if (typeof next !== 'object' || next === null || Array.isArray(next)) {
      const fresh: Record<string, unknown> = {};
      Object.defineProperty(cursor, part, {
        value: fresh,
        enumerable: true,
        writable: true,
        configurable: true,
      });
      cursor = fresh;
    } else cursor = next as Record<string, unknown>;
  }
  const last = parts[parts.length - 1] ?? path;
  Object.defineProperty(cursor, last, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * A record with its minimal fields intact (so it must be read and alerted) and any of its other
 * fields replaced with hostile JSON. `userIdentity` itself stays an object: the readers refuse a
 * record whose identity is not one, by design.
 */
export function goodHostileRecord(id: string): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .array(fc.tuple(fc.constantFrom(...OPTIONAL_FIELDS), hostileFieldValue), { maxLength: 5 })
    .map((overrides) => {
      const record: Record<string, unknown> = structuredClone({ ...BASE_PROBE });
      for (const [path, value] of overrides) setPath(record, path, value);
      record.eventID = id;
      return record;
    });
}

/** A record whose minimal fields may be anything too: it may be refused, never crash anything. */
export const anyRecord: fc.Arbitrary<unknown> = fc.oneof(
  hostileJson,
  fc
    .tuple(
      goodHostileRecord('bad'),
      fc.constantFrom(
        'eventVersion',
        'eventTime',
        'eventSource',
        'eventName',
        'awsRegion',
        'eventID',
        'userIdentity',
      ),
      hostileFieldValue,
    )
    .map(([record, field, value]) => {
      setPath(record, field, value);
      return record;
    }),
);
