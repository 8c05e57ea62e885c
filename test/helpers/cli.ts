import { PassThrough, Readable } from 'node:stream';
import type { CliServices } from '../../lib/cli/main';
import { main } from '../../lib/cli/main';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Streams for a CLI run in-process: stdin from a string, stdout and stderr collected. */
export function captureCliIo(stdin = ''): {
  io: { stdout: PassThrough; stderr: PassThrough; stdin: Readable };
  finish(code: number): CliRun;
} {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (chunk: Buffer) => out.push(chunk));
  stderr.on('data', (chunk: Buffer) => err.push(chunk));
  return {
    io: { stdout, stderr, stdin: Readable.from([Buffer.from(stdin)]) },
    finish: (code) => ({
      code,
      stdout: Buffer.concat(out).toString('utf8'),
      stderr: Buffer.concat(err).toString('utf8'),
    }),
  };
}

/** Runs the CLI in-process with captured streams. */
export async function runCli(args: string[], stdin = '', services: CliServices = {}): Promise<CliRun> {
  const { io, finish } = captureCliIo(stdin);
  return finish(await main(args, io, services));
}

export function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
