import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Input, ReadOptions, ReadResult } from '../../lib/ingest';
import { readRecords } from '../../lib/ingest';
import type { HostileCase } from './corpus';
import { corpus, ids, jsonl, largeCorpus } from './corpus';

/**
 * Every hostile input delivers exactly the records it must, reports exactly the problems it must,
 * each at its place, and never throws. Large cases: TRAILWATCH_HOSTILE_LARGE=1.
 */

interface Outcome {
  records: string[];
  problems: Extract<ReadResult, { kind: 'problem' }>[];
  skipped: string[];
}

async function run(input: Input, options: ReadOptions = {}): Promise<Outcome> {
  const outcome: Outcome = { records: [], problems: [], skipped: [] };
  for await (const result of readRecords([input], options)) {
    if (result.kind === 'record') outcome.records.push(String(result.record.eventID));
    else if (result.kind === 'problem') outcome.problems.push(result);
    else outcome.skipped.push(result.reason);
  }
  return outcome;
}

function check(hostile: HostileCase, outcome: Outcome): void {
  expect(outcome.records).toEqual(hostile.records);
  expect(
    outcome.problems.map((p) => `${p.message} @ ${JSON.stringify(p.origin)}`),
    'problems reported',
  ).toHaveLength(hostile.problems.length);
  for (const [i, expected] of hostile.problems.entries()) {
    const actual = outcome.problems[i];
    expect(actual?.message).toMatch(expected.message);
    expect(actual?.origin).toMatchObject(expected.at);
    expect(actual?.fault).toBe(expected.fault ?? 'data');
    expect(actual?.retryable).toBe(false);
  }
  expect(outcome.skipped.length).toBe(hostile.skipped?.length ?? 0);
  for (const [i, reason] of (hostile.skipped ?? []).entries()) expect(outcome.skipped[i]).toContain(reason);
}

const dir = mkdtempSync(join(tmpdir(), 'trailwatch-hostile-'));

describe('hostile inputs: bytes and events', () => {
  for (const hostile of corpus) {
    it(hostile.name, async () => {
      check(hostile, await run(await hostile.input(dir), hostile.options));
    });
  }
});

describe.runIf(process.env.TRAILWATCH_HOSTILE_LARGE === '1')(
  'hostile inputs: large (TRAILWATCH_HOSTILE_LARGE=1)',
  () => {
    for (const hostile of largeCorpus) {
      it(hostile.name, async () => {
        const before = process.memoryUsage().rss;
        check(hostile, await run(await hostile.input(dir), hostile.options));
        // The oversized item was never buffered whole: growth stays near the cap, far from the input.
        expect(process.memoryUsage().rss - before).toBeLessThan(256 * 1024 * 1024);
      }, 120_000);
    }
  },
);

const hasMkfifo = (() => {
  try {
    execFileSync('mkfifo', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('hostile inputs: the file system', () => {
  it('a symbolic link loop in a folder is read once', async () => {
    const root = join(dir, 'loop');
    mkdirSync(join(root, 'sub'), { recursive: true });
    writeFileSync(join(root, 'a.jsonl'), jsonl(0, 3));
    symlinkSync('..', join(root, 'sub', 'up'));
    symlinkSync('a.jsonl', join(root, 'b-link.jsonl'));
    check(
      {
        name: 'loop',
        input: () => ({ kind: 'path', path: root }),
        records: ids(0, 3),
        problems: [],
        skipped: [`already read as ${join(root, 'a.jsonl')}`, `already read as ${root}`],
      },
      await run({ kind: 'path', path: root }),
    );
  });

  it.runIf(hasMkfifo)('a FIFO named explicitly is read as a stream', async () => {
    const fifo = join(dir, 'named.fifo');
    execFileSync('mkfifo', [fifo]);
    const source = join(dir, 'fifo-source.jsonl');
    writeFileSync(source, jsonl(0, 4));
    // A separate process writes, as `<(cmd)` or a shell pipeline would.
    const writer = spawn('sh', ['-c', 'cat "$1" > "$2"', 'sh', source, fifo], { stdio: 'ignore' });
    const written = new Promise((resolve) => writer.on('close', resolve));
    const outcome = await run({ kind: 'path', path: fifo });
    await written;
    expect(outcome).toEqual({ records: ids(0, 4), problems: [], skipped: [] });
  });

  it.runIf(hasMkfifo)(
    'a FIFO inside a folder is skipped with a message, and the walk does not hang',
    async () => {
      const folder = join(dir, 'with-fifo');
      mkdirSync(folder);
      writeFileSync(join(folder, 'a.jsonl'), jsonl(0, 2));
      execFileSync('mkfifo', [join(folder, 'b.fifo')]);
      writeFileSync(join(folder, 'c.jsonl'), jsonl(2, 3));
      const outcome = await run({ kind: 'path', path: folder });
      expect(outcome.records).toEqual(ids(0, 3));
      expect(outcome.problems).toEqual([]);
      expect(outcome.skipped).toEqual(['a FIFO inside a folder is not read (name it to read it)']);
    },
  );

  it('/dev/stdin-like character devices are not skipped as empty', async () => {
    // /dev/null is a character device of size 0: read as a stream, it yields no content.
    const outcome = await run({ kind: 'path', path: '/dev/null' });
    expect(outcome.problems).toEqual([]);
    expect(outcome.skipped).toEqual(['no content']);
  });
});
