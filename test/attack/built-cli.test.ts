/**
 * The built `bin/trailwatch.cjs`, run as a user runs it, against hostile records, hostile file
 * names and broken pipes: exit codes as the README says, no stack trace, one inert line per message.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasControl } from '../../lib/text';
import { ruleDir } from '../helpers/rules';
import { BASE_PROBE } from './arbitraries';

const ROOT = resolve(__dirname, '../..');
const BIN = join(ROOT, 'bin', 'trailwatch.cjs');
const BUILT = existsSync(join(ROOT, 'dist', 'trailwatch.cjs'));

const RULES = ruleDir({
  'any.yml': `title: Any record
id: 5b0e7f6e-0000-4000-8000-00000000b001
level: high
logsource: {product: aws, service: cloudtrail}
detection: {selection: {eventVersion|exists: true}, condition: selection}
fields: [userIdentity.arn, resources.ARN]
`,
});

function trailwatch(args: readonly string[], input?: string) {
  const run = spawnSync(process.execPath, [BIN, ...args], {
    cwd: mkdtempSync(join(tmpdir(), 'trailwatch-attack-cwd-')),
    input,
    encoding: 'utf8',
    timeout: 20_000,
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr, signal: run.signal };
}

/** Commander's own usage messages start with `error:`; every other line is trailwatch's. */
function expectInertStderr(stderr: string): void {
  expect(stderr).not.toMatch(/\n\s+at |Error:.*\n\s+at /);
  for (const line of stderr.split('\n').filter((l) => l !== '')) {
    expect(line).toMatch(/^(trailwatch|error: )/);
    expect(hasControl(line)).toBe(false);
  }
}

describe.skipIf(!BUILT)('the built CLI under attack', () => {
  const hostile = [
    {
      ...BASE_PROBE,
      eventID: 'e1\u001b]8;;http://evil\u0007x',
      eventName: 'P\u001b[2J',
      awsRegion: 'us-east-1\u202e',
    },
    {
      ...BASE_PROBE,
      eventID: 'e2',
      userIdentity: { arn: { nested: [1, '\r\n'] } },
      sourceIPAddress: 12,
      userAgent: ['\u0007'],
    },
    { ...BASE_PROBE, eventID: 'e3\ud800', resources: [{ ARN: 7 }, { ARN: 'x\u0085y' }] },
  ];
  const text = `${hostile.map((r) => JSON.stringify(r)).join('\n')}\n{"eventVersion": [\nnot json\n`;

  it.each(['table', 'ndjson', 'json'])('scan --format %s of hostile records on stdin', (format) => {
    const run = trailwatch(
      ['scan', '-', '--rules', RULES, '--config', '/dev/null', '--format', format],
      text,
    );
    expect(run.signal).toBeNull();
    expect(run.code).toBe(1);
    expectInertStderr(run.stderr);
    const lines = run.stdout.split('\n').filter((l) => l !== '');
    if (format === 'ndjson') {
      expect(lines.map((l) => (JSON.parse(l) as { eventID: string }).eventID)).toHaveLength(3);
    } else if (format === 'json') {
      expect((JSON.parse(run.stdout) as { findings: unknown[] }).findings).toHaveLength(3);
    } else {
      for (const line of lines) expect(hasControl(line)).toBe(false);
      expect(lines).toHaveLength(4);
    }
  });

  it('a file named with a newline and ESC is one inert diagnostic line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'trailwatch-attack-bin-'));
    mkdirSync(join(dir, 'in'));
    writeFileSync(join(dir, 'in', 'a\nb\u001b[31mc\r.json'), '{"Records":[{"eventVersion":');
    const run = trailwatch(['scan', join(dir, 'in'), '--rules', RULES, '--config', '/dev/null']);
    expect(run.code).toBe(1);
    expectInertStderr(run.stderr);
    expect(run.stderr).toContain('a\\nb\\x1b[31mc\\r.json');
  });

  it('usage errors exit 2 without a stack trace', () => {
    for (const args of [
      ['scan', '-', '--format', 'x\u001b[31m'],
      ['scan', '-', '--min-level', 'loud'],
      ['scan', '-', '--delivery-timeout', 'forever'],
      ['nope'],
    ]) {
      const run = trailwatch(args, '');
      expect(run.code).toBe(2);
      expectInertStderr(run.stderr);
    }
  });

  it('stdout closed early (| head -1) ends quietly', () => {
    const many = Array.from({ length: 5_000 }, (_, i) =>
      JSON.stringify({ ...BASE_PROBE, eventID: `m${i}` }),
    ).join('\n');
    const run = spawnSync(
      'sh',
      ['-c', `node "${BIN}" scan - --rules "${RULES}" --config /dev/null --format ndjson | head -1`],
      {
        input: many,
        encoding: 'utf8',
        timeout: 20_000,
      },
    );
    expect(run.status).toBe(0);
    expect(run.stdout.split('\n').filter((l) => l !== '')).toHaveLength(1);
    expect(run.stderr).not.toMatch(/EPIPE|\n\s+at /);
  });
});
