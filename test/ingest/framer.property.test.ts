import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FramerOutput } from '../../lib/ingest';
import { JsonFramer } from '../../lib/ingest';
import { bytesInput, collect } from '../helpers/read';

/**
 * Properties of the framer and the readers over generated input: every good record comes out once,
 * in order, whatever the chunking; garbage between JSON Lines records is reported at the garbage
 * and costs nothing else; nothing throws.
 */

const RUNS = Number(process.env.TRAILWATCH_PROPERTY_RUNS ?? 150);

/** Strings with the characters that matter to a framer: quotes, backslashes, brackets, unicode. */
const hostileText = fc.string({
  unit: fc.constantFrom(
    'a',
    'Z',
    '"',
    '\\',
    '{',
    '}',
    '[',
    ']',
    ',',
    ':',
    ' ',
    '\n',
    '\r',
    '\t',
    'é',
    '😀',
    '\u0000',
  ),
  maxLength: 20,
});

const recordArb = (index: number) =>
  fc
    .record({
      userAgent: hostileText,
      requestParameters: fc.oneof(
        fc.constant(null),
        fc.dictionary(hostileText, fc.oneof(hostileText, fc.integer())),
      ),
      tags: fc.array(fc.oneof(fc.integer(), hostileText, fc.boolean()), { maxLength: 4 }),
    })
    .map((extra) => ({
      eventVersion: '1.08',
      eventTime: '2024-05-01T12:00:00Z',
      eventSource: 's3.amazonaws.com',
      eventName: 'GetObject',
      awsRegion: 'eu-west-1',
      eventID: `id-${index}`,
      ...extra,
    }));

const recordsArb = fc
  .integer({ min: 0, max: 12 })
  .chain((count) => fc.tuple(...Array.from({ length: count }, (_, i) => recordArb(i))))
  .map((tuple): Record<string, unknown>[] => [...tuple]);

type Layout = 'jsonl' | 'crlf' | 'records' | 'pretty' | 'array';

function render(records: readonly Record<string, unknown>[], layout: Layout): string {
  switch (layout) {
    case 'jsonl':
      return records.map((r) => `${JSON.stringify(r)}\n`).join('');
    case 'crlf':
      return records.map((r) => `${JSON.stringify(r)}\r\n`).join('');
    case 'records':
      return JSON.stringify({ Records: records });
    case 'pretty':
      return JSON.stringify({ Records: records }, null, 2);
    case 'array':
      return JSON.stringify(records);
  }
}

/** Cut points, as fractions of the length, turned into chunks. */
function split(bytes: Buffer, cuts: readonly number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => Math.floor(c * bytes.length)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const point of points) {
    if (point > from) chunks.push(bytes.subarray(from, point));
    from = Math.max(from, point);
  }
  chunks.push(bytes.subarray(from));
  return chunks;
}

function frame(chunks: readonly Buffer[]): FramerOutput[] {
  const framer = new JsonFramer();
  const out: FramerOutput[] = [];
  for (const chunk of chunks) framer.push(chunk, out);
  framer.end(out);
  return out;
}

async function* each(chunks: readonly Buffer[]): AsyncGenerator<Buffer> {
  for (const chunk of chunks) yield chunk;
}

const cutsArb = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 12 });

describe('framer properties', () => {
  it('frames every record once, in order, for any layout and any chunk split', () => {
    fc.assert(
      fc.property(
        recordsArb,
        fc.constantFrom<Layout>('jsonl', 'crlf', 'records', 'pretty', 'array'),
        cutsArb,
        (records, layout, cuts) => {
          const out = frame(split(Buffer.from(render(records, layout)), cuts));
          expect(out.filter((o) => o.kind === 'error')).toEqual([]);
          const parsed = out.flatMap((o) => (o.kind === 'item' ? [JSON.parse(o.text) as unknown] : []));
          expect(parsed).toEqual(records);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('gives each item the line and byte offset where its text starts', () => {
    fc.assert(
      fc.property(recordsArb, cutsArb, (records, cuts) => {
        const text = render(records, 'jsonl');
        const bytes = Buffer.from(text);
        const out = frame(split(bytes, cuts));
        for (const [index, item] of out.entries()) {
          if (item.kind !== 'item') continue;
          expect(item.line).toBe(index + 1);
          expect(bytes.subarray(item.offset, item.offset + Buffer.byteLength(item.text)).toString()).toBe(
            item.text,
          );
        }
      }),
      { numRuns: RUNS },
    );
  });
});

/**
 * Lines that are not records: broken JSON of every kind (unclosed brackets and strings, stray and
 * mismatched closers, scalars, prose, a lone opener) and values that are JSON but not records.
 * None holds a newline: JSON Lines garbage lives on its own line.
 */
const garbageLine = fc.oneof(
  fc.constantFrom(
    '{"eventID":"x","a":[1,2',
    '{"s":"never closed',
    '{"a":{"b":{"c":',
    '[{"a":1}',
    '{"a":1]',
    '}',
    ']]',
    '123',
    'null',
    '"just a string"',
    'not json at all',
    '<html><body>',
    '{}',
    '{"hello":"world"}',
    '[]',
    '{"Records":[',
    '{"Records":5}',
    '\u0000\u0001\u0002',
    '{"eventID":oops}',
  ),
  hostileText.map((text) => text.replace(/[\r\n]/g, '')).filter((text) => text.trim() !== ''),
);

describe('reader properties: garbage between JSON Lines records', () => {
  it('delivers every record once and in order, and locates each problem inside the garbage', async () => {
    await fc.assert(
      fc.asyncProperty(
        recordsArb.filter((records) => records.length > 0),
        fc.array(fc.tuple(fc.nat(), garbageLine), { maxLength: 6 }),
        cutsArb,
        async (records, garbage, cuts) => {
          // The first line is a record; garbage lines go after any record.
          const lines: { text: string; garbage: boolean }[] = records.map((r) => ({
            text: JSON.stringify(r),
            garbage: false,
          }));
          for (const [position, text] of garbage) {
            lines.splice(1 + (position % lines.length), 0, { text, garbage: true });
          }
          const text = lines.map((line) => `${line.text}\n`).join('');
          const garbageSpans: { line: number; from: number; to: number }[] = [];
          let offset = 0;
          for (const [index, line] of lines.entries()) {
            const length = Buffer.byteLength(line.text);
            if (line.garbage) garbageSpans.push({ line: index + 1, from: offset, to: offset + length });
            offset += length + 1;
          }
          const chunks = split(Buffer.from(text), cuts);
          const result = await collect([{ kind: 'bytes', name: 'mixed', chunks: each(chunks) }]);
          expect(result.records.map((r) => r.eventID)).toEqual(records.map((r) => r.eventID));
          expect(result.records).toEqual(records);
          for (const problem of result.problems) {
            const { line, offset: at } = problem.origin;
            const span = garbageSpans.find((g) => g.line === line);
            expect(span, `${problem.message} at line ${line}`).toBeDefined();
            if (span && at !== undefined) {
              expect(at).toBeGreaterThanOrEqual(span.from);
              expect(at).toBeLessThanOrEqual(span.to);
            }
          }
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('never throws and never loses the records before a cut, gzipped or not, for any prefix', async () => {
    await fc.assert(
      fc.asyncProperty(
        recordsArb,
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.boolean(),
        async (records, fraction, gzipped) => {
          const text = render(records, 'jsonl');
          const whole = gzipped ? gzipSync(text) : Buffer.from(text);
          const cut = whole.subarray(0, Math.floor(whole.length * fraction));
          const result = await collect([bytesInput('cut', cut, 7)]);
          const ids = result.records.map((r) => r.eventID);
          // Whatever came out is a prefix of the records, in order, each once.
          expect(ids).toEqual(records.slice(0, ids.length).map((r) => r.eventID));
          if (!gzipped) {
            // Every line complete in the cut text is delivered.
            const complete = cut.toString('utf8').split('\n').length - 1;
            expect(ids.length).toBeGreaterThanOrEqual(Math.min(complete, records.length));
          }
        },
      ),
      { numRuns: RUNS },
    );
  });
});
