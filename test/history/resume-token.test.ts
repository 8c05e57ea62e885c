import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ResumePoint } from '../../lib/history';
import { decodeResumeToken, encodeResumeToken, StartingTokenError } from '../../lib/history';

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');
/** A LookupEvents NextToken as the service returns them: base64 of an opaque binary blob. */
const SERVICE_TOKEN =
  'kbOt5LlZe++mErCebpy2TgaMgmDvF1kYGFcH64JSjIbZFjsuvrSqg66b5YGssKutDYIyII4lrP4IDbeQdiObkp9YAlju3oXd12juy3CIZW8=';

/**
 * Tokens botocore 1.43.11's TokenEncoder printed for these points (`TokenEncoder().encode(d)`),
 * the bytes `aws cloudtrail lookup-events --max-items N` shows as NextToken.
 */
const BOTOCORE_TOKENS: readonly [string, ResumePoint, string][] = [
  [
    'a cut first page (NextToken null)',
    { truncate: 3 },
    'eyJOZXh0VG9rZW4iOiBudWxsLCAiYm90b190cnVuY2F0ZV9hbW91bnQiOiAzfQ==',
  ],
  [
    'a cut later page',
    { token: 'o50', truncate: 10 },
    'eyJOZXh0VG9rZW4iOiAibzUwIiwgImJvdG9fdHJ1bmNhdGVfYW1vdW50IjogMTB9',
  ],
  [
    'a page boundary',
    { token: SERVICE_TOKEN, truncate: 0 },
    'eyJOZXh0VG9rZW4iOiAia2JPdDVMbFplKyttRXJDZWJweTJUZ2FNZ21EdkYxa1lHRmNINjRKU2pJYlpGanN1dnJTcWc2NmI1WUdzc0t1dERZSXlJSTRsclA0SURiZVFkaU9ia3A5WUFsanUzb1hkMTJqdXkzQ0laVzg9In0=',
  ],
  [
    'escapes and non-ASCII as Python json.dumps writes them',
    { token: 'café/"\\\n\x7f😀', truncate: 1 },
    'eyJOZXh0VG9rZW4iOiAiY2FmXHUwMGU5L1wiXFxcblx1MDA3Zlx1ZDgzZFx1ZGUwMCIsICJib3RvX3RydW5jYXRlX2Ftb3VudCI6IDF9',
  ],
];

describe('encodeResumeToken writes the bytes botocore writes', () => {
  it.each(BOTOCORE_TOKENS)('%s', (_name, point, token) => {
    expect(encodeResumeToken(point)).toBe(token);
  });
});

describe('decodeResumeToken reads what the AWS CLI accepts', () => {
  it.each(BOTOCORE_TOKENS)('botocore token: %s', (_name, point, token) => {
    expect(decodeResumeToken(token)).toEqual(point);
  });

  const accepted: readonly [string, string, ResumePoint][] = [
    ['a service NextToken, as is', SERVICE_TOKEN, { token: SERVICE_TOKEN, truncate: 0 }],
    ['a plain word', 'raw-token-from-the-api', { token: 'raw-token-from-the-api', truncate: 0 }],
    [
      'compact JSON (JavaScript spacing)',
      b64('{"NextToken":"t","boto_truncate_amount":2}'),
      { token: 't', truncate: 2 },
    ],
    ['the cut without NextToken', b64('{"boto_truncate_amount": 4}'), { truncate: 4 }],
    ['NextToken "None" (botocore skips it)', b64('{"NextToken": "None"}'), { truncate: 0 }],
    ['NextToken only', b64('{"NextToken": "abc"}'), { token: 'abc', truncate: 0 }],
    ['old-style TOKEN___N', 'abc___7', { token: 'abc', truncate: 7 }],
    ['old-style None___N', 'None___7', { truncate: 7 }],
    ['three ___ parts: a service token', 'a___b___1', { token: 'a___b___1', truncate: 0 }],
    ['surrounding blanks from a copy', `  ${b64('{"NextToken": "t"}')}\n`, { token: 't', truncate: 0 }],
  ];
  it.each(accepted)('%s', (_name, text, point) => {
    expect(decodeResumeToken(text)).toEqual(point);
  });

  const refused: readonly [string, string, RegExp][] = [
    ['empty', '', /empty/],
    ['JSON that is a list', b64('["t", 3]'), /decodes to a list/],
    ['JSON that is a string', b64('"t"'), /decodes to the string "t"/],
    ['JSON null', b64('null'), /decodes to null/],
    ['another key', b64('{"NextToken": "t", "Marker": "m"}'), /holds "Marker"/],
    [
      'a negative cut',
      b64('{"NextToken": "t", "boto_truncate_amount": -1}'),
      /boto_truncate_amount must be a whole number from 0 to 50 .*; got number -1/,
    ],
    ['a fractional cut', b64('{"NextToken": "t", "boto_truncate_amount": 1.5}'), /got number 1.5/],
    ['a cut as text', b64('{"NextToken": "t", "boto_truncate_amount": "3"}'), /got the string "3"/],
    ['a cut deeper than any page', b64('{"NextToken": "t", "boto_truncate_amount": 51}'), /from 0 to 50/],
    ['a numeric NextToken', b64('{"NextToken": 5}'), /NextToken must be .* got number 5/],
    ['an empty NextToken', b64('{"NextToken": ""}'), /NextToken must be/],
    ['old style with too deep a cut', 'abc___99', /from 0 to 50/],
  ];
  it.each(refused)('refuses %s', (_name, text, message) => {
    expect(() => decodeResumeToken(text)).toThrow(StartingTokenError);
    expect(() => decodeResumeToken(text)).toThrow(message);
  });
});

describe('round trip', () => {
  const point = fc.record(
    {
      token: fc.string({ minLength: 1, unit: 'binary' }).filter((t) => t !== 'None' && t.trim() === t),
      truncate: fc.integer({ min: 0, max: 50 }),
    },
    { requiredKeys: ['truncate'] },
  );

  it('decodeResumeToken(encodeResumeToken(p)) is p, for any service token and cut', () => {
    fc.assert(
      fc.property(point, (p) => {
        expect(decodeResumeToken(encodeResumeToken(p))).toEqual(p);
      }),
    );
  });

  it('every token is base64 of pure-ASCII JSON holding NextToken first, as botocore writes it', () => {
    fc.assert(
      fc.property(point, (p) => {
        const json = Buffer.from(encodeResumeToken(p), 'base64').toString('utf8');
        expect(json).toMatch(/^\{"NextToken": [\x20-\x7e]*\}$/);
        const body = JSON.parse(json) as Record<string, unknown>;
        expect(body.NextToken).toBe(p.token ?? null);
        expect(body.boto_truncate_amount).toBe(p.truncate > 0 ? p.truncate : undefined);
      }),
    );
  });

  it('a service token that is not base64 JSON passes through unchanged', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }).filter((t) => t.trim() === t && t !== '' && !t.includes('___')),
        (text) => {
          let isJson = true;
          try {
            JSON.parse(Buffer.from(text, 'base64').toString('utf8'));
          } catch {
            isJson = false;
          }
          fc.pre(!isJson);
          expect(decodeResumeToken(text)).toEqual({ token: text, truncate: 0 });
        },
      ),
    );
  });
});
