/**
 * `eventKeys` reads eventSource and eventName in one pass: it must agree with `uniqueStringField`
 * read twice, or be unsure (undefined) where that would be; never a value where it is unsure.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { uniqueStringField } from '../../lib/rules';
import { eventKeys } from '../../lib/rules/engine';

/** Fragments that build texts around the keys: repeats, nesting, escapes, spacing, look-alikes. */
const FRAGMENTS = [
  '"eventSource"',
  '"eventName"',
  '"event',
  'Source"',
  'Name"',
  '"eventSourceX"',
  ':',
  ' : ',
  '"s3.amazonaws.com"',
  '"GetObject"',
  '"Get\\"Object"',
  '{',
  '}',
  ',',
  '"',
  '\\',
  'x',
];

describe('eventKeys', () => {
  it.each([
    ['{"eventSource":"s3.amazonaws.com","eventName":"GetObject"}', 's3.amazonaws.com', 'GetObject'],
    ['{"eventSource" : "a","eventName":"b","x":{"eventName":"c"}}', 'a', undefined],
    ['{"eventName":"Get\\"x"}', undefined, undefined],
    ['{"eventSourceArn":"a","eventNames":"b"}', undefined, undefined],
  ])('%s', (text, source, name) => {
    expect(eventKeys(text)).toEqual({ source, name });
  });

  it('agrees with uniqueStringField or is unsure (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 24 }), (parts) => {
        const text = parts.join('');
        const { source, name } = eventKeys(text);
        const expected = {
          source: uniqueStringField(text, '"eventSource"'),
          name: uniqueStringField(text, '"eventName"'),
        };
        if (source !== undefined) expect(source).toBe(expected.source);
        if (name !== undefined) expect(name).toBe(expected.name);
        // Unsure only where a key's occurrences overlap (`"eventSource"eventSource"`), which
        // uniqueStringField counts once.
        if (source === undefined && expected.source !== undefined)
          expect(text).toMatch(/"eventSource"eventSource"/);
        if (name === undefined && expected.name !== undefined) expect(text).toMatch(/"eventName"eventName"/);
      }),
      { numRuns: 5000 },
    );
  });
});
