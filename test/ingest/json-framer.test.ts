import { describe, expect, it } from 'vitest';
import type { FramerOutput } from '../../lib/ingest';
import { JsonFramer, MAX_NESTING_DEPTH } from '../../lib/ingest';

function frame(text: string, chunkSize = text.length): FramerOutput[] {
  const framer = new JsonFramer();
  const out: FramerOutput[] = [];
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += chunkSize) framer.push(bytes.subarray(i, i + chunkSize), out);
  framer.end(out);
  return out;
}

function items(out: FramerOutput[]): string[] {
  return out.flatMap((o) => (o.kind === 'item' ? [o.text] : []));
}

function errors(out: FramerOutput[]): string[] {
  return out.flatMap((o) => (o.kind === 'error' ? [o.message] : []));
}

const record = (id: number, extra = ''): string =>
  `{"eventID":"id-${id}","eventName":"Get${extra}","n":{"a":[1,{"b":"}"}]}}`;

describe('JsonFramer splits streamed arrays into items', () => {
  const cases: { name: string; input: string; expected: string[] }[] = [
    {
      name: 'a CloudTrail log file',
      input: `{"Records":[${record(1)},${record(2)}]}`,
      expected: [record(1), record(2)],
    },
    { name: 'an empty log file', input: '{"Records":[]}', expected: [] },
    {
      name: 'a pretty-printed log file',
      input: `{\n  "Records": [\n    ${record(1)},\n    ${record(2)}\n  ]\n}\n`,
      expected: [record(1), record(2)],
    },
    {
      name: 'keys before Records',
      input: `{"x":{"Records":[1]},"Records":[${record(3)}]}`,
      expected: [record(3)],
    },
    {
      name: 'LookupEvents output',
      input: `{"Events":[{"CloudTrailEvent":"{\\"a\\":1}"}],"NextToken":"t"}`,
      expected: ['{"CloudTrailEvent":"{\\"a\\":1}"}'],
    },
    { name: 'a top-level array', input: `[${record(1)}, ${record(2)}]`, expected: [record(1), record(2)] },
    {
      name: 'scalars in a streamed array',
      input: '{"Records":[1, "two", null,{"a":1}]}',
      expected: ['1', '"two"', 'null', '{"a":1}'],
    },
    { name: 'JSON Lines', input: `${record(1)}\n${record(2)}\n`, expected: [record(1), record(2)] },
    { name: 'concatenated values', input: `${record(1)}${record(2)}`, expected: [record(1), record(2)] },
    { name: 'CRLF JSON Lines', input: `${record(1)}\r\n${record(2)}\r\n`, expected: [record(1), record(2)] },
    {
      name: 'escaped quotes and backslashes',
      input: `{"Records":[{"a":"x\\\\"},{"b":"\\"}{["},{"c":"\\\\\\"]"}]}`,
      expected: ['{"a":"x\\\\"}', '{"b":"\\"}{["}', '{"c":"\\\\\\"]"}'],
    },
    {
      name: 'multi-byte UTF-8',
      input: '{"Records":[{"user":"Zoë 日本 🚀"},{"x":"é"}]}',
      expected: ['{"user":"Zoë 日本 🚀"}', '{"x":"é"}'],
    },
    {
      name: 'a non-streamed object is one item',
      input: '{"s3Bucket":"b","s3ObjectKey":["k"]}',
      expected: ['{"s3Bucket":"b","s3ObjectKey":["k"]}'],
    },
    {
      name: 'a key named Records deeper down is not streamed',
      input: '{"a":{"Records":[1,2]}}',
      expected: ['{"a":{"Records":[1,2]}}'],
    },
    { name: 'Records that is not an array', input: '{"Records":{"a":1}}', expected: ['{"Records":{"a":1}}'] },
    { name: 'whitespace only', input: ' \n\t\n', expected: [] },
  ];

  for (const { name, input, expected } of cases) {
    it(`${name}, whole`, () => {
      const out = frame(input);
      expect(errors(out)).toEqual([]);
      expect(items(out)).toEqual(expected);
    });
    it(`${name}, one byte at a time`, () => {
      const out = frame(input, 1);
      expect(errors(out)).toEqual([]);
      expect(items(out)).toEqual(expected);
    });
    it(`${name}, in chunks of 3, 7 and 64 bytes`, () => {
      for (const size of [3, 7, 64]) expect(items(frame(input, size))).toEqual(expected);
    });
  }

  it('says where each item starts and which container holds it', () => {
    const out = frame(`{"Records":[\n${record(1)},\n${record(2)}]}`);
    const located = out.flatMap((o) => (o.kind === 'item' ? [[o.container, o.index, o.line, o.offset]] : []));
    expect(located).toEqual([
      ['key:Records', 0, 2, 13],
      ['key:Records', 1, 3, 13 + record(1).length + 2],
    ]);
  });

  it('numbers the lines of JSON Lines, blank lines included', () => {
    const out = frame(`${record(1)}\n\n${record(2)}\n`);
    expect(out.flatMap((o) => (o.kind === 'item' ? [[o.line, o.topIndex]] : []))).toEqual([
      [1, 0],
      [3, 1],
    ]);
  });
});

describe('JsonFramer reports broken input and keeps what came before', () => {
  const cases: { name: string; input: string; items: number; error: RegExp; recovered: boolean }[] = [
    {
      name: 'Records cut in the middle',
      input: `{"Records":[${record(1)},${record(2)},{"eventID":"x`,
      items: 2,
      error: /input ends inside the Records array after 2 complete item/,
      recovered: false,
    },
    {
      name: 'a file cut after an item',
      input: `{"Records":[${record(1)},`,
      items: 1,
      error: /input ends inside the Records array/,
      recovered: false,
    },
    {
      name: 'another format',
      input: 'eventTime,eventName\n2024,Get\n',
      items: 0,
      error: /not JSON: the input starts with "e/,
      recovered: false,
    },
    {
      name: 'mismatched brackets in a stream',
      input: `{"Records":[${record(1)},{"a":[1}]}`,
      items: 1,
      error: /'}' closes '\[' \(mismatched brackets\)/,
      recovered: false,
    },
    { name: 'a stray closer at top level', input: '}\n', items: 0, error: /not JSON/, recovered: false },
    {
      name: 'a garbage line in JSON Lines',
      input: `${record(1)}\nnot json at all\n${record(2)}\n`,
      items: 2,
      error: /expected a JSON object or array but found "n/,
      recovered: true,
    },
    {
      name: 'a broken line in JSON Lines',
      input: `${record(1)}\n{"a":[}\n${record(2)}\n`,
      items: 2,
      error: /mismatched brackets/,
      recovered: true,
    },
    {
      name: 'a value left open',
      input: '{"a":"b',
      items: 0,
      error: /input ends inside a JSON value/,
      recovered: false,
    },
  ];
  for (const { name, input, items: count, error, recovered } of cases) {
    it(name, () => {
      for (const size of [input.length, 5, 1]) {
        const out = frame(input, size);
        expect(items(out)).toHaveLength(count);
        const errs = out.filter((o) => o.kind === 'error');
        expect(errs).toHaveLength(1);
        expect(errs[0]?.message).toMatch(error);
        expect(errs[0]?.kind === 'error' && errs[0].recovered).toBe(recovered);
      }
    });
  }

  it('refuses nesting deeper than its limit instead of growing without bound', () => {
    const deep = `${'['.repeat(MAX_NESTING_DEPTH + 5)}${']'.repeat(MAX_NESTING_DEPTH + 5)}`;
    expect(errors(frame(deep))[0]).toMatch(/nesting deeper than 512 levels/);
  });

  it('gives the line and byte offset of a fault', () => {
    const out = frame(`${record(1)}\nxx\n`);
    const fault = out.find((o) => o.kind === 'error');
    expect(fault).toMatchObject({ line: 2, offset: record(1).length + 1 });
  });
});
