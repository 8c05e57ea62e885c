/**
 * The small text functions every output goes through, attacked with any string: console links
 * from any event id, secret redaction for any secret and any echoed text. None may throw (a throw
 * there turns a good record into a poison one, or a failed delivery into a crash), and a secret
 * that appears in a text never survives redaction.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { consoleEventUrl, safeConsoleUrl } from '../../lib/alerts';
import { redactSecrets, secretVariants } from '../../lib/notify/redact';
import { hostileString } from './arbitraries';

const REGIONS = ['us-east-1', 'eu-west-3', 'cn-north-1', 'us-gov-west-1', 'ap-southeast-7'] as const;

describe('console links from any event id', () => {
  it('never throw, and a link made is one safeConsoleUrl accepts', () => {
    fc.assert(
      fc.property(fc.constantFrom(...REGIONS), hostileString, (region, eventID) => {
        const url = consoleEventUrl(region, eventID);
        if (url !== undefined) expect(safeConsoleUrl(url)).toBe(url);
      }),
      { numRuns: 500 },
    );
  });

  it.each([
    ['a lone high surrogate', 'e3\ud800'],
    ['a lone low surrogate', '\udc00abc'],
  ])('an event id with %s gets no link instead of a URIError', (_name, eventID) => {
    expect(() => consoleEventUrl('us-east-1', eventID)).not.toThrow();
    expect(consoleEventUrl('us-east-1', eventID)).toBeUndefined();
  });
});

/** Secrets as configs hold them: URLs with credentials (percent-escapes valid or not), path tokens, keys. */
const secretArb = fc.oneof(
  fc.string({ minLength: 6 }),
  hostileString.filter((text) => text.length >= 6),
  fc
    .tuple(
      fc.constantFrom('alice', 'u%E0', '%', 'a%zz', 'x\ud800y', 'bob%40corp'),
      fc.constantFrom('p4ss', '%E0%A4', 'pa%', 's3cr%ZZet', ''),
      fc.stringMatching(/^[A-Za-z0-9._~-]{6,30}$/),
    )
    .map(
      ([user, password, token]) => `https://${user}:${password}@hooks.example.com/services/T0/B0/${token}`,
    ),
  fc.stringMatching(/^[A-Za-z0-9]{6,40}$/).map((token) => `https://hooks.example.com/hook?sig=${token}&x=1`),
);

describe('redaction of any secret in any text', () => {
  it('never throws', () => {
    fc.assert(
      fc.property(secretArb, hostileString, (secret, text) => {
        expect(() => secretVariants(secret)).not.toThrow();
        expect(() => redactSecrets(`${text}${secret}${text}`, [secret])).not.toThrow();
      }),
      { numRuns: 300 },
    );
  });

  it.each([
    ['a bad percent-escape in the user', 'https://u%E0:pw@hooks.example.com/T/B/tok3n-value'],
    ['a bad percent-escape in the password', 'https://user:%E0%A4@hooks.example.com/T/B/tok3n-value'],
    ['a lone surrogate in a routing key', 'R0UTING\ud800KEY-0123456789'],
  ])('a secret with %s is redacted, not thrown on', (_name, secret) => {
    const echoed = `400 Bad Request: {"routing_key":"x","echo":"${secret}"}`;
    expect(() => redactSecrets(echoed, [secret])).not.toThrow();
    expect(redactSecrets(echoed, [secret])).not.toContain(secret);
  });

  it('a secret present in the text, raw or JSON-escaped, is gone after redaction', () => {
    fc.assert(
      fc.property(
        secretArb.filter((secret) => secret.trim().length >= 6),
        hostileString,
        fc.constantFrom('raw', 'json', 'json2'),
        (secret, around, form) => {
          const shown =
            form === 'raw'
              ? secret
              : form === 'json'
                ? JSON.stringify(secret).slice(1, -1)
                : JSON.stringify(JSON.stringify(secret).slice(1, -1)).slice(1, -1);
          const text = `${around} ${shown} ${around}`;
          expect(redactSecrets(text, [secret])).not.toContain(shown);
        },
      ),
      { numRuns: 300 },
    );
  });
});
