import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { Input } from '../../lib/ingest';
import { formatOrigin } from '../../lib/ingest';
import { logFile } from '../factories/events';
import { fixtureRecords } from '../helpers/fixtures';
import { bytesInput, collect, payload } from '../helpers/read';

const records = fixtureRecords('aws-docs-examples.jsonl').slice(0, 6);
const text = logFile(records);
const lines = records.map((r) => JSON.stringify(r));
const gz = gzipSync(text);

/**
 * The bad-input corpus. Each case says how many records still come through and what the error
 * says, including where: the source is always named, and the position where there is one.
 */
const corpus: { name: string; data: Buffer | string; records: number; problem: RegExp; where: RegExp }[] = [
  {
    name: 'truncated gzip',
    data: gz.subarray(0, Math.floor(gz.length * 0.6)),
    records: -1,
    problem: /truncated gzip data/,
    where: /byte \d+/,
  },
  {
    name: 'corrupt gzip',
    data: Buffer.concat([gz.subarray(0, 20), Buffer.alloc(200, 0x41)]),
    records: 0,
    problem: /corrupt gzip data/,
    where: /^bad/,
  },
  {
    name: 'invalid JSON inside a record',
    data: text.replace(`"eventID":"${records[2]?.eventID}"`, '"eventID":nope'),
    records: 5,
    problem: /invalid JSON/,
    where: /Records\[2\]/,
  },
  {
    name: 'Records cut in the middle',
    data: text.slice(0, Math.floor(text.length * 0.7)),
    records: -1,
    problem: /input ends inside the Records array after \d+ complete item/,
    where: /byte \d+/,
  },
  {
    name: 'objects that are not records',
    data: JSON.stringify({ Records: [records[0], { hello: 'world' }, 42, records[1]] }),
    records: 2,
    problem:
      /not a CloudTrail record or a known delivery format \(keys: hello\)|expected a JSON object but found a number/,
    where: /Records\[1\]|Records\[2\]/,
  },
  {
    name: 'a record missing minimal fields',
    data: JSON.stringify({
      Records: [records[0], { ...records[1], eventID: undefined, eventSource: undefined }],
    }),
    records: 1,
    problem: /missing eventSource, eventID/,
    where: /Records\[1\], record #1/,
  },
  {
    name: 'a record with a bad eventTime',
    data: JSON.stringify({ Records: [{ ...records[0], eventTime: 'yesterday' }] }),
    records: 0,
    problem: /eventTime "yesterday" is not an ISO 8601 time/,
    where: /Records\[0\]/,
  },
  {
    name: 'a record with a wrong-typed field',
    data: JSON.stringify([{ ...records[0], eventName: 7 }]),
    records: 0,
    problem: /eventName is a number \(expected a string\)/,
    where: /\[0\]/,
  },
  {
    name: 'a CSV file',
    data: 'eventTime,eventName\n2024-01-01,GetObject\n',
    records: 0,
    problem: /not JSON: the input starts with/,
    where: /:1 \(byte 0\)/,
  },
  {
    name: 'a ZIP archive',
    data: Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), deflateRawSync(text)]),
    records: 0,
    problem: /a ZIP archive/,
    where: /^bad/,
  },
  {
    name: 'binary noise',
    data: Buffer.from([0x00, 0x01, 0xfe, 0x02, 0x03, 0x04]),
    records: 0,
    problem: /not JSON/,
    where: /^bad/,
  },
  {
    name: 'a bad line among JSON Lines',
    data: `${lines[0]}\n{"eventID": oops}\n${lines[1]}\n`,
    records: 2,
    problem: /invalid JSON/,
    where: /:2 /,
  },
  {
    name: 'garbage between JSON Lines',
    data: `${lines[0]}\n<html>\n${lines[1]}\n`,
    records: 2,
    problem: /expected a JSON object or array but found "<html>"; resuming at the next line/,
    where: /:2 /,
  },
  {
    name: 'an SNS message that is not JSON',
    data: JSON.stringify({ Type: 'Notification', TopicArn: 'arn:aws:sns:us-east-1:1:t', Message: 'hello' }),
    records: 0,
    problem: /embedded JSON is invalid/,
    where: /Message/,
  },
  {
    name: 'a malformed CloudTrail delivery notification',
    data: JSON.stringify({ s3Bucket: 'b', s3ObjectKey: 'not-a-list' }),
    records: 0,
    problem: /malformed CloudTrail delivery notification: s3ObjectKey: /,
    where: /^bad/,
  },
  {
    name: 'bad base64 in a CloudWatch Logs event',
    data: JSON.stringify({ awslogs: { data: 'bm90IGd6aXA=' } }),
    records: 0,
    problem: /awslogs.data is not base64 of gzip data/,
    where: /awslogs\.data/,
  },
  {
    name: 'an EventBridge event that is not CloudTrail',
    data: JSON.stringify({ 'detail-type': 'GuardDuty Finding', source: 'aws.guardduty', detail: {} }),
    records: 0,
    problem: /EventBridge event "GuardDuty Finding" from aws.guardduty carries no CloudTrail record/,
    where: /detail-type/,
  },
  {
    name: 'a LookupEvents entry whose CloudTrailEvent is not a string',
    data: JSON.stringify({ Events: [{ EventId: 'x', CloudTrailEvent: { a: 1 } }] }),
    records: 0,
    problem: /CloudTrailEvent is not a JSON string/,
    where: /Events\[0\]/,
  },
];

describe('bad input gets a clear error that says where, and the rest goes on', () => {
  for (const { name, data, records: count, problem, where } of corpus) {
    it(name, async () => {
      const good = bytesInput('good', logFile(records.slice(0, 2)));
      const result = await collect([bytesInput('bad', data, 64), good]);
      const fromBad = result.origins.filter((o) => o.source === 'bad').length;
      if (count >= 0) expect(fromBad).toBe(count);
      else expect(fromBad).toBeGreaterThan(0);
      expect(result.problems.length).toBeGreaterThanOrEqual(1);
      const first = result.problems[0];
      expect(first?.message).toMatch(problem);
      expect(formatOrigin(first?.origin ?? { source: '?' })).toMatch(where);
      expect(result.origins.filter((o) => o.source === 'good')).toHaveLength(2);
    });
  }

  it('delivers every record before a truncation, in order', async () => {
    const result = await collect([
      bytesInput('cut', text.slice(0, text.lastIndexOf(`{"eventVersion"`) + 30)),
    ]);
    expect(result.records.map((r) => r.eventID)).toEqual(records.slice(0, 5).map((r) => r.eventID));
  });

  it('counts problems past the per-input limit instead of printing them all', async () => {
    const many = Array.from({ length: 30 }, () => '{"nope":1}').join('\n');
    const result = await collect([bytesInput('many', many)], { maxProblemsPerSource: 10 });
    expect(result.problems).toHaveLength(11);
    expect(result.problems[10]?.message).toBe('20 more problem(s) in this input were counted but not shown');
  });

  it('refuses envelopes nested without end', async () => {
    let value: unknown = records[0];
    for (let i = 0; i < 12; i++)
      value = { Type: 'Notification', TopicArn: 't', Message: JSON.stringify(value) };
    const result = await collect([payload(value)]);
    expect(result.problems[0]?.message).toMatch(/nested deeper than 8 levels/);
  });
});

describe('file system inputs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trailwatch-bad-'));
  writeFileSync(join(dir, 'ok.json'), text);
  writeFileSync(join(dir, 'empty.json'), '');
  writeFileSync(join(dir, 'notes.txt'), 'hello');

  const cases: { name: string; input: Input; problem?: RegExp; skipped?: RegExp }[] = [
    {
      name: 'a missing file',
      input: { kind: 'path', path: join(dir, 'nope.json') },
      problem: /nope\.json: no such file or directory/,
    },
    { name: 'an empty file', input: { kind: 'path', path: join(dir, 'empty.json') }, skipped: /empty file/ },
    {
      name: 'a text file',
      input: { kind: 'path', path: join(dir, 'notes.txt') },
      problem: /notes\.txt:1 \(byte 0\): not JSON/,
    },
  ];
  for (const { name, input, problem, skipped } of cases) {
    it(name, async () => {
      const result = await collect([input]);
      if (problem)
        expect(result.problems.map((p) => `${formatOrigin(p.origin)}: ${p.message}`)).toEqual([
          expect.stringMatching(problem),
        ]);
      if (skipped) expect(result.skipped.map((s) => s.reason)).toEqual([expect.stringMatching(skipped)]);
    });
  }

  it('a directory mixes them all and still yields the good file', async () => {
    const result = await collect([{ kind: 'path', path: dir }]);
    expect(result.records).toHaveLength(records.length);
    expect(result.problems).toHaveLength(1);
    expect(result.skipped).toHaveLength(1);
  });
});
