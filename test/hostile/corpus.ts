import { constants, deflateRawSync, gzipSync, inflateRawSync } from 'node:zlib';
import type { Input, ReadOptions } from '../../lib/ingest';
import { minimalRecord } from '../factories/records';

/**
 * The hostile-input corpus for the readers, generated at run time (nothing large is committed).
 * Each case is an input and exactly what must come out of it: the eventIDs delivered, in order,
 * and every problem (message and location). Cases marked `large` take more than a few seconds or
 * hundreds of MB and run only with TRAILWATCH_HOSTILE_LARGE=1.
 */

export interface ExpectedProblem {
  readonly message: RegExp;
  /** Fields of the problem's origin that must match exactly. */
  readonly at: { line?: number; offset?: number; pointer?: string; index?: number };
  readonly fault?: 'data' | 'transient' | 'source';
}

export interface HostileCase {
  readonly name: string;
  /** Builds the input; file-system cases create what they need under `dir`. */
  readonly input: (dir: string) => Input | Promise<Input>;
  readonly records: readonly string[];
  readonly problems: readonly ExpectedProblem[];
  /** Substrings of the `skipped` reasons that must be reported, in order. */
  readonly skipped?: readonly string[];
  readonly options?: ReadOptions;
  readonly large?: boolean;
}

export function record(i: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return minimalRecord(i, {
    userIdentity: { type: 'IAMUser', arn: `arn:aws:iam::111122223333:user/u${i}` },
    ...extra,
  });
}

export const ids = (from: number, to: number): string[] =>
  Array.from({ length: to - from }, (_, k) => `id-${from + k}`);

/** JSON Lines of records `from` to `to - 1`. */
export const jsonl = (from: number, to: number): string =>
  ids(from, to)
    .map((_, k) => `${JSON.stringify(record(from + k))}\n`)
    .join('');

export function bytes(name: string, data: Buffer | string, chunkSize = 4096): Input {
  const buffer = typeof data === 'string' ? Buffer.from(data) : data;
  async function* chunks(): AsyncGenerator<Buffer> {
    for (let i = 0; i < buffer.length; i += chunkSize) yield buffer.subarray(i, i + chunkSize);
  }
  return { kind: 'bytes', name, chunks: chunks() };
}

/** Brackets nested `depth` deep, as text: `[[[…]]]`. */
export const deepText = (depth: number): string => `${'['.repeat(depth)}${']'.repeat(depth)}`;

/** An in-memory value nested `depth` deep, built without recursion. */
export function deepValue(depth: number): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i++) value = { down: value };
  return value;
}

/** A gzip member around raw deflate data, with a correct or a chosen trailer. */
export function gzipMember(deflated: Buffer, crc: number, size: number): Buffer {
  const header = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc >>> 0, 0);
  trailer.writeUInt32LE(size >>> 0, 4);
  return Buffer.concat([header, deflated, trailer]);
}

/** Offset of line `n` (1-based) in text. */
export function lineOffset(text: string, n: number): number {
  let offset = 0;
  for (let line = 1; line < n; line++) offset = text.indexOf('\n', offset) + 1;
  return Buffer.byteLength(text.slice(0, offset));
}

const hundred = jsonl(0, 100);
const hundredGz = gzipSync(hundred);
const hundredBytes = Buffer.byteLength(hundred);

function withTrailerByte(gz: Buffer, fromEnd: number): Buffer {
  const copy = Buffer.from(gz);
  const at = copy.length - fromEnd;
  copy[at] = (copy[at] as number) ^ 0x01;
  return copy;
}

/** A deflate stream that breaks right after the first 60 records: an invalid block type (RFC 1951 3.2.3). */
function corruptMiddle(): { data: Buffer; faultAt: number } {
  const sixty = Buffer.from(jsonl(0, 60));
  const head = deflateRawSync(sixty, { finishFlush: constants.Z_FULL_FLUSH });
  const invalidBlock = Buffer.from([0x07]); // BFINAL=1, BTYPE=11 (reserved)
  const data = gzipMember(Buffer.concat([head, invalidBlock, deflateRawSync(jsonl(60, 100))]), 0, 0);
  return { data, faultAt: 10 + head.length };
}

function truncatedGzip(): { data: Buffer; records: string[] } {
  const cut = hundredGz.subarray(0, Math.floor(hundredGz.length * 0.5));
  // What zlib can decode from the cut, independently of the reader: its complete lines are records.
  const decodable = inflateRawSync(cut.subarray(10), { finishFlush: constants.Z_SYNC_FLUSH });
  const complete = decodable.toString('utf8').split('\n').length - 1;
  return { data: cut, records: ids(0, complete) };
}

const unclosedBracket = `${jsonl(0, 5)}{"eventID":"broken","a":[1,2\n${jsonl(5, 10)}`;
const unclosedString = `${jsonl(0, 5)}{"eventID":"broken\n${jsonl(5, 10)}`;
const firstLineOpen = `{"eventID":"broken","a":{"b":1\n${jsonl(0, 5)}`;
const deepLine = `${hundred}{"eventID":"deep","x":${deepText(600)}}\n${jsonl(100, 101)}`;
const snsDeep = `${hundred}${JSON.stringify({
  Type: 'Notification',
  TopicArn: 'arn:aws:sns:eu-west-1:111122223333:t',
  Message: deepText(5000),
})}\n${jsonl(100, 101)}`;
const nulLine = `${jsonl(0, 3)}\u0000\u0000\u0000\n${jsonl(3, 6)}`;
const invalidUtf8 = Buffer.concat([
  Buffer.from(jsonl(0, 2)),
  Buffer.from('{"eventVersion":"1.08","eventTime":"2024-05-01T12:00:00Z","eventSource":"s3.amazonaws.com",'),
  Buffer.from('"eventName":"GetObject","awsRegion":"eu-west-1","eventID":"id-2","userAgent":"'),
  Buffer.from([0xff, 0xfe, 0xc3]),
  Buffer.from('"}\n'),
  Buffer.from([0xff, 0xfe, 0x0a]),
  Buffer.from(jsonl(3, 5)),
]);
const bom = Buffer.concat([
  Buffer.from([0xef, 0xbb, 0xbf]),
  Buffer.from(JSON.stringify({ Records: [record(0), record(1)] })),
]);
const crlf = jsonl(0, 4).replaceAll('\n', '\r\n');
const nonObjects = JSON.stringify({ Records: [record(0), 42, 'text', null, true, record(1)] });
const recordsNotArray = `${jsonl(0, 2)}{"Records":5}\n${jsonl(2, 3)}`;
const eventTimeOne = JSON.stringify({ Records: [record(0), record(1, { eventTime: '1' }), record(2)] });
const deepInRecords = JSON.stringify({
  Records: [record(0), { ...record(1), x: 'DEEP' }, record(2)],
}).replace('"DEEP"', deepText(700));
const truncatedPlain = JSON.stringify({ Records: [record(0), record(1), record(2)] }).slice(0, -40);
const corrupt = corruptMiddle();
const truncated = truncatedGzip();

function logsEvent(messages: string[]): unknown {
  const payload = {
    messageType: 'DATA_MESSAGE',
    owner: '111122223333',
    logGroup: 'aws-cloudtrail-logs',
    logStream: 's',
    subscriptionFilters: ['f'],
    logEvents: messages.map((message, i) => ({ id: String(i), timestamp: 0, message })),
  };
  return { awslogs: { data: gzipSync(JSON.stringify(payload)).toString('base64') } };
}

export const corpus: readonly HostileCase[] = [
  {
    name: 'gzip with a bad CRC-32',
    input: () => bytes('crc.json.gz', withTrailerByte(hundredGz, 8)),
    records: ids(0, 100),
    problems: [{ message: /CRC-32 mismatch/, at: { offset: hundredBytes }, fault: 'data' }],
  },
  {
    name: 'gzip with a bad length (ISIZE)',
    input: () => bytes('isize.json.gz', withTrailerByte(hundredGz, 1)),
    records: ids(0, 100),
    problems: [{ message: /length mismatch/, at: { offset: hundredBytes }, fault: 'data' }],
  },
  {
    name: 'gzip with trailing garbage',
    input: () => bytes('trailing.json.gz', Buffer.concat([hundredGz, Buffer.from('garbage\n')])),
    records: ids(0, 100),
    problems: [
      {
        message: new RegExp(`trailing garbage after the gzip data \\(compressed byte ${hundredGz.length}\\)`),
        at: { offset: hundredBytes },
        fault: 'data',
      },
    ],
  },
  {
    name: 'gzip corrupt in the middle (invalid block), small file',
    input: () => bytes('middle.json.gz', corrupt.data, 1 << 20),
    records: ids(0, 60),
    problems: [
      {
        message: new RegExp(
          `corrupt gzip data \\(invalid block type\\) at compressed byte ${corrupt.faultAt}$`,
        ),
        at: { offset: Buffer.byteLength(jsonl(0, 60)) },
        fault: 'data',
      },
    ],
  },
  {
    name: 'gzip truncated half way',
    input: () => bytes('cut.json.gz', truncated.data),
    records: truncated.records,
    problems: [{ message: /truncated gzip data: the compressed stream ends early/, at: {}, fault: 'data' }],
  },
  {
    name: 'gzip cut inside its trailer',
    input: () => bytes('cut-trailer.json.gz', hundredGz.subarray(0, hundredGz.length - 3)),
    records: ids(0, 100),
    problems: [{ message: /truncated gzip data/, at: { offset: hundredBytes }, fault: 'data' }],
  },
  {
    name: 'two gzip members (cat a.gz b.gz)',
    input: () => bytes('two.json.gz', Buffer.concat([gzipSync(jsonl(0, 3)), gzipSync(jsonl(3, 5))])),
    records: ids(0, 5),
    problems: [],
  },
  {
    name: 'JSON Lines: a line with an unclosed bracket',
    input: () => bytes('bracket.jsonl', unclosedBracket, 7),
    records: ids(0, 10),
    problems: [
      {
        message:
          /the line ends inside a JSON value \(a bracket that is not closed\); resuming at the next line/,
        at: { line: 6, offset: lineOffset(unclosedBracket, 6) },
        fault: 'data',
      },
    ],
  },
  {
    name: 'JSON Lines: a line with an unterminated string',
    input: () => bytes('string.jsonl', unclosedString, 7),
    records: ids(0, 10),
    problems: [
      {
        message: /a string that is not closed/,
        at: { line: 6, offset: lineOffset(unclosedString, 6) },
        fault: 'data',
      },
    ],
  },
  {
    name: 'JSON Lines: the first line is left open',
    input: () => bytes('first.jsonl', firstLineOpen, 5),
    records: ids(0, 5),
    problems: [{ message: /a bracket that is not closed/, at: { line: 1, offset: 0 } }],
  },
  {
    name: 'a record nested 600 deep after 100 good ones',
    input: () => bytes('deep.jsonl', deepLine, 1000),
    records: ids(0, 101),
    problems: [
      {
        message: /nesting deeper than 512 levels .*: item skipped/,
        at: { line: 101, offset: lineOffset(deepLine, 101) },
        fault: 'data',
      },
    ],
  },
  {
    name: 'an item nested 700 deep inside a Records array',
    input: () => bytes('deep-records.json', deepInRecords, 333),
    records: ['id-0', 'id-2'],
    problems: [{ message: /nesting deeper than 512 levels/, at: { line: 1 } }],
  },
  {
    name: 'an SNS Message nested 5,000 deep after 100 good records',
    input: () => bytes('sns.jsonl', snsDeep),
    records: ids(0, 101),
    problems: [
      {
        message: /embedded JSON nested deeper than 512 levels/,
        at: { line: 101, offset: lineOffset(snsDeep, 101), pointer: 'value #100.Message' },
      },
    ],
  },
  {
    name: 'a Lambda SNS event whose first Message is nested 5,000 deep',
    input: () => ({
      kind: 'payload',
      name: 'sns-event',
      value: {
        Records: [
          { EventSource: 'aws:sns', Sns: { Message: deepText(5000) } },
          { EventSource: 'aws:sns', Sns: { Message: JSON.stringify(record(7)) } },
        ],
      },
    }),
    records: ['id-7'],
    problems: [
      { message: /embedded JSON nested deeper than 512 levels/, at: { pointer: 'Records[0].Sns.Message' } },
    ],
  },
  {
    name: 'a CloudWatch Logs batch with a message nested 5,000 deep',
    input: () => ({
      kind: 'payload',
      name: 'logs-event',
      value: logsEvent([deepText(5000), JSON.stringify(record(1)), JSON.stringify(record(2))]),
    }),
    records: ['id-1', 'id-2'],
    problems: [
      {
        message: /embedded JSON nested deeper than 512 levels/,
        at: { pointer: 'awslogs.data.logEvents[0].message' },
      },
    ],
  },
  {
    name: 'an EventBridge event whose record is nested 5,000 deep in memory',
    input: () => ({
      kind: 'payload',
      name: 'eventbridge',
      value: {
        'detail-type': 'AWS API Call via CloudTrail',
        source: 'aws.s3',
        detail: record(3, { requestParameters: deepValue(5000) }),
      },
    }),
    records: [],
    problems: [{ message: /record nested deeper than 512 levels/, at: { pointer: 'detail', index: 0 } }],
  },
  {
    name: 'a record over the size cap (1 MiB record, 64 KiB cap)',
    input: () =>
      bytes(
        'huge.jsonl',
        `${jsonl(0, 3)}${JSON.stringify(record(99, { blob: 'x'.repeat(1 << 20) }))}\n${jsonl(3, 5)}`,
      ),
    options: { maxRecordBytes: 64 * 1024 },
    records: ids(0, 5),
    problems: [
      {
        message: /item larger than 65536 bytes .*: item skipped/,
        at: { line: 4, offset: Buffer.byteLength(jsonl(0, 3)) },
      },
    ],
  },
  {
    name: 'NUL bytes on a line of their own',
    input: () => bytes('nul.jsonl', nulLine),
    records: ids(0, 6),
    problems: [
      {
        message:
          /expected a JSON object or array but found "\\u0000\\u0000\\u0000"; resuming at the next line/,
        at: { line: 4, offset: lineOffset(nulLine, 4) },
      },
    ],
  },
  {
    name: 'a file of NUL bytes',
    input: () => bytes('zeros.bin', Buffer.alloc(4096)),
    records: [],
    problems: [{ message: /not JSON: the input starts with/, at: { line: 1, offset: 0 } }],
  },
  {
    name: 'invalid UTF-8 inside a string and on a line of its own',
    input: () => bytes('utf8.jsonl', invalidUtf8, 13),
    // Invalid sequences in a string decode to U+FFFD, as any UTF-8 decoder does: the record stands.
    records: ids(0, 5),
    problems: [{ message: /expected a JSON object or array but found/, at: { line: 4 } }],
  },
  {
    name: 'a byte order mark',
    input: () => bytes('bom.json', bom, 2),
    records: ids(0, 2),
    problems: [],
  },
  {
    name: 'a gzipped file with a byte order mark',
    input: () => bytes('bom.json.gz', gzipSync(bom)),
    records: ids(0, 2),
    problems: [],
  },
  {
    name: 'CRLF line ends',
    input: () => bytes('crlf.jsonl', crlf, 3),
    records: ids(0, 4),
    problems: [],
  },
  {
    name: 'an empty Records array',
    input: () => bytes('empty.json', '{"Records":[]}'),
    records: [],
    problems: [],
  },
  {
    name: 'records that are not objects',
    input: () => bytes('scalars.json', nonObjects),
    records: ['id-0', 'id-1'],
    problems: [
      { message: /expected a JSON object but found a number \(42\)/, at: { pointer: 'Records[1]' } },
      { message: /expected a JSON object but found a string "text"/, at: { pointer: 'Records[2]' } },
      { message: /expected a JSON object but found null/, at: { pointer: 'Records[3]' } },
      { message: /expected a JSON object but found a boolean \(true\)/, at: { pointer: 'Records[4]' } },
    ],
  },
  {
    name: 'Records that is not an array',
    input: () => bytes('not-array.jsonl', recordsNotArray),
    records: ids(0, 3),
    problems: [
      { message: /Records is a number, not an array/, at: { line: 3, pointer: 'value #2.Records' } },
    ],
  },
  {
    name: 'eventTime "1"',
    input: () => bytes('time.json', eventTimeOne),
    records: ['id-0', 'id-2'],
    problems: [{ message: /eventTime "1" is not an ISO 8601 time/, at: { pointer: 'Records[1]', index: 1 } }],
  },
  {
    name: 'a log file cut inside its last record',
    input: () => bytes('cut.json', truncatedPlain),
    records: ['id-0', 'id-1'],
    problems: [{ message: /input ends inside the Records array after 2 complete item/, at: {} }],
  },
];

/** Cases too big for every CI run: TRAILWATCH_HOSTILE_LARGE=1. */
export const largeCorpus: readonly HostileCase[] = [
  {
    name: 'a 64 MiB record under the default 16 MiB cap, streamed (never held whole)',
    input: () => ({ kind: 'bytes', name: 'huge-default.jsonl', chunks: hugeRecordStream(64) }),
    records: ids(0, 4),
    problems: [{ message: /item larger than 16777216 bytes .*: item skipped/, at: { line: 3 } }],
    large: true,
  },
  {
    name: 'a 600 MiB line without a newline after good records',
    input: () => ({ kind: 'bytes', name: 'endless.jsonl', chunks: endlessLine(600) }),
    records: ids(0, 2),
    problems: [
      { message: /item larger than 16777216 bytes/, at: { line: 3 } },
      { message: /input ends inside a JSON value/, at: {} },
    ],
    large: true,
  },
];

async function* hugeRecordStream(mebibytes: number): AsyncGenerator<Buffer> {
  yield Buffer.from(jsonl(0, 2));
  yield Buffer.from(`${JSON.stringify(record(50)).slice(0, -1)},"blob":"`);
  const block = Buffer.alloc(1 << 20, 0x61);
  for (let i = 0; i < mebibytes; i++) yield block;
  yield Buffer.from('"}\n');
  yield Buffer.from(jsonl(2, 4));
}

async function* endlessLine(mebibytes: number): AsyncGenerator<Buffer> {
  yield Buffer.from(jsonl(0, 2));
  yield Buffer.from('{"blob":"');
  const block = Buffer.alloc(1 << 20, 0x62);
  for (let i = 0; i < mebibytes; i++) yield block;
}
