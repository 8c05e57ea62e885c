/**
 * The README's quick start, run as written on the bundled examples: the scan shows what the text
 * says it shows, and each `… | wc -l   # N` filter example prints N records, which is also the
 * number of records of that account and region counted straight from the files.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli';

const ROOT = join(import.meta.dirname, '..', '..');
const EXAMPLE_LOGS = join(ROOT, 'examples', 'logs');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** The README's section under `## heading`, up to the next `## `. */
function section(heading: string): string {
  const start = README.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`README.md has no section "${heading}"`);
  const end = README.indexOf('\n## ', start + 1);
  return README.slice(start, end < 0 ? undefined : end);
}
const QUICK_START = section('Set up in two commands');

/** Every `npx trailwatch …` command of the section's shell blocks, with the comment after it. */
function commands(text: string): { args: string[]; comment: string }[] {
  const found: { args: string[]; comment: string }[] = [];
  for (const [, block] of text.matchAll(/```sh\n([\s\S]*?)```/g)) {
    for (const line of (block ?? '').split('\n')) {
      const match = /npx trailwatch ([^#|]+?)\s*(\|[^#]*)?(?:#\s*(.*))?$/.exec(line);
      if (match?.[1])
        found.push({ args: match[1].split(/\s+/), comment: `${match[2] ?? ''}#${match[3] ?? ''}` });
    }
  }
  return found;
}

/** Paths in the commands are relative to the repository root, where the README is followed. */
function fromRoot(args: readonly string[]): string[] {
  return args.map((arg) => (arg.startsWith('examples/') ? join(ROOT, arg) : arg));
}

interface SampleRecord {
  readonly recipientAccountId?: string;
  readonly awsRegion?: string;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

/** Every record of the examples, read without trailwatch: the oracle for the filter examples. */
function sampleRecords(): SampleRecord[] {
  return filesUnder(EXAMPLE_LOGS).flatMap((path): SampleRecord[] => {
    if (path.endsWith('.json.gz')) {
      const parsed = JSON.parse(gunzipSync(readFileSync(path)).toString('utf8')) as {
        Records: SampleRecord[];
      };
      return parsed.Records;
    }
    return readFileSync(path, 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as SampleRecord & { eventID?: string })
      .filter((record) => typeof record.eventID === 'string');
  });
}

/** The values of a repeatable, comma-separated option (`--record-region a,b --record-region c`). */
function optionValues(args: readonly string[], name: string): Set<string> | undefined {
  const values = args.flatMap((arg, index) => (arg === name ? (args[index + 1] ?? '').split(',') : []));
  return values.length > 0 ? new Set(values) : undefined;
}

describe("the README's quick start on the bundled examples", () => {
  it('describes the files as they are: 40 gzipped log objects and two JSON Lines files', () => {
    const files = filesUnder(EXAMPLE_LOGS);
    const objects = /(\d+) gzipped S3 log objects/.exec(QUICK_START)?.[1];
    expect(objects).toBeDefined();
    expect(files.filter((path) => path.endsWith('.json.gz'))).toHaveLength(Number(objects));
    expect(QUICK_START).toMatch(/and two JSON Lines\s+files/);
    expect(files.filter((path) => path.endsWith('.jsonl'))).toHaveLength(2);
  });

  it('the first command scans every record and shows the findings the text lists', async () => {
    const scan = commands(QUICK_START).find(({ args }) => args[0] === 'scan');
    expect(scan).toBeDefined();
    const run = await runCli(fromRoot(scan?.args ?? []));
    expect(run.code).toBe(0);
    const count = /scans the (\d+) real CloudTrail records/.exec(QUICK_START)?.[1];
    expect(run.stderr).toContain(`${count} record(s) read`);
    expect(sampleRecords()).toHaveLength(Number(count));
    const rows = run.stdout.split('\n');
    for (const title of [
      'Root user signed in without MFA',
      'AWS Config recording stopped',
      'Console sign-in without MFA',
    ])
      expect(rows.some((row) => row.includes(title))).toBe(true);
    const wideRole = rows.filter((row) => row.includes('Session started in a wide-permission role'));
    expect(wideRole.length).toBeGreaterThan(0);
    for (const row of wideRole) expect(row).toContain('kamilo@cribl.io');
    expect(wideRole.some((row) => row.includes('sts:AssumeRoleWithSAML'))).toBe(true);
    expect(wideRole.some((row) => row.includes('signin:ConsoleLogin'))).toBe(true);
  });

  const counted = commands(QUICK_START).filter(({ comment }) => /^\|\s*wc -l\s*#\s*\d+/.test(comment));
  it('shows record filter examples', () => {
    expect(counted.map(({ args }) => args.join(' '))).toEqual(
      expect.arrayContaining([expect.stringMatching(/--account/), expect.stringMatching(/--record-region/)]),
    );
  });

  it.each(counted.map(({ args, comment }) => [args.join(' '), args, comment] as const))(
    '`trailwatch %s | wc -l` prints the count the README shows',
    async (_command, args, comment) => {
      const shown = Number(/#\s*(\d+)/.exec(comment)?.[1]);
      const run = await runCli(fromRoot(args));
      expect(run.code).toBe(0);
      expect(run.stdout.split('\n').filter((line) => line !== '')).toHaveLength(shown);
      // The right answer, from the records themselves.
      const accounts = optionValues(args, '--account');
      const regions = optionValues(args, '--record-region');
      const expected = sampleRecords().filter(
        (record) =>
          (!accounts || accounts.has(record.recipientAccountId ?? '')) &&
          (!regions || regions.has(record.awsRegion ?? '')),
      );
      expect(expected).toHaveLength(shown);
    },
  );
});
