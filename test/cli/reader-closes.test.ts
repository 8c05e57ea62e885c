/**
 * `trailwatch … | head`: the reader closes the pipe early and every writer then fails with EPIPE.
 * The built CLI, run as a user runs it, ends quietly with exit 0, whichever command was writing.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { EXIT_INPUT_FAILED, EXIT_OK, endWhenReaderCloses } from '../../lib/cli/io';
import { runCli } from '../helpers/cli';

const ROOT = resolve(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'trailwatch.cjs');
const BUILT = existsSync(join(ROOT, 'dist', 'trailwatch.cjs'));

/**
 * Runs the CLI with its stdout on a pipe whose reader is closed before the CLI has loaded, so its
 * first write meets EPIPE whatever its size (as `| head -c 0` would, without the race of reading).
 */
function readerClosed(args: readonly string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.stdout.destroy();
    child.once('error', fail);
    child.once('close', (code) => done({ code, stderr }));
  });
}

/** Every kind of stdout writer: commander's help, LineWriter, direct writes, JSON documents. */
const COMMANDS: readonly (readonly string[])[] = [
  ['--help'],
  ['backtest', '--help'],
  ['rules', 'list'],
  ['rules', 'list', '--output', 'json'],
  ['rules', 'validate', 'rules'],
  ['cat', 'examples/logs'],
  ['scan', 'examples/logs', '--config', 'examples/trailwatch.yml', '--output', 'json'],
];

describe.skipIf(!BUILT)('the reader of stdout closes early', () => {
  for (const args of COMMANDS) {
    it(`trailwatch ${args.join(' ')} | head: exit 0, nothing on stderr about it`, async () => {
      const run = await readerClosed(args);
      expect(run.stderr).not.toMatch(/EPIPE|Unhandled|\n\s+at /);
      expect(run.code).toBe(EXIT_OK);
    }, 30_000);
  }
});

describe('endWhenReaderCloses', () => {
  const cases: [string, string, number][] = [
    ['the reader closed the pipe', 'EPIPE', EXIT_OK],
    ['a write after that', 'ERR_STREAM_DESTROYED', EXIT_OK],
    ['the disk is full', 'ENOSPC', EXIT_INPUT_FAILED],
  ];
  for (const [name, code, exit] of cases) {
    it(`${name} (${code}) exits ${exit}`, () => {
      const stream = new PassThrough();
      const exits: number[] = [];
      endWhenReaderCloses(stream, (status) => exits.push(status));
      endWhenReaderCloses(stream, (status) => exits.push(status));
      stream.emit('error', Object.assign(new Error(code), { code }));
      expect(exits).toEqual([exit]);
    });
  }
});

describe('backtest --help', () => {
  it('names both charts of the HTML report', async () => {
    const run = await runCli(['backtest', '--help']);
    const help = run.stdout.replace(/\s+/g, ' ');
    expect(help).toContain('charts of alerts and of notifications');
    expect(help).not.toContain('with a chart of alerts per rule per day');
  });
});
