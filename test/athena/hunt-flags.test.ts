/**
 * One flag name per meaning: `hunt` takes the Athena flags `backtest --engine athena` takes, spelt
 * and described alike, and every engine's flags reach `hunt` (lib/athena/flags.ts, lib/cli/hunt.ts).
 */
import { PassThrough, Readable } from 'node:stream';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { ATHENA_FLAGS, athenaEngineOptions } from '../../lib/athena/flags';
import { buildProgram } from '../../lib/cli/main';
import { HUNT_ENGINES } from '../../lib/hunt';

const program = buildProgram(
  { stdout: new PassThrough(), stderr: new PassThrough(), stdin: Readable.from([]) },
  () => {},
);
const command = (name: string): Command => {
  const found = program.commands.find((candidate) => candidate.name() === name);
  if (found === undefined) throw new Error(`no command ${name}`);
  return found;
};
const optionsOf = (name: string) => new Map(command(name).options.map((option) => [option.flags, option]));

describe('the Athena flags', () => {
  it.each(ATHENA_FLAGS.map((flag) => [flag.flags, flag]))(
    '%s: backtest and hunt both take it, with the same meaning',
    (_name, flag) => {
      const backtest = optionsOf('backtest').get(flag.flags);
      const hunt = optionsOf('hunt').get(flag.flags);
      expect(backtest?.description).toBe(flag.description);
      expect(hunt?.description).toBe(`with --engine athena: ${flag.description}`);
      expect(hunt?.attributeName()).toBe(backtest?.attributeName());
    },
  );

  it("has a schema key for each flag (commander's attribute name), and refuses any other key", () => {
    const keys = ATHENA_FLAGS.map((flag) => optionsOf('hunt').get(flag.flags)?.attributeName()).sort();
    expect(keys).toEqual(Object.keys(athenaEngineOptions.shape).sort());
    expect(athenaEngineOptions.safeParse({ workGroup: 'x' }).success).toBe(false);
  });

  it("declares every engine's flags on hunt", () => {
    for (const engine of HUNT_ENGINES.values())
      for (const flag of engine.flags)
        expect(optionsOf('hunt').has(flag.flags), `${engine.name} ${flag.flags}`).toBe(true);
  });
});
