import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shippedRulesDir } from '../../lib/rules';
import type { Logger, Runtime, RuntimeOverrides } from '../../lib/runtime';
import { createLogger, createRuntime } from '../../lib/runtime';

/** A runtime as a cold start builds it, from a trailwatch.yml written for the test. */
export function testRuntime(
  configText: string,
  overrides: RuntimeOverrides = {},
  env: Record<string, string> = {},
): Runtime {
  const dir = mkdtempSync(join(tmpdir(), 'trailwatch-runtime-'));
  const file = join(dir, 'trailwatch.yml');
  writeFileSync(file, configText);
  return createRuntime(
    { TRAILWATCH_CONFIG: file, TRAILWATCH_RULES_DIR: shippedRulesDir(), ...env },
    overrides,
  );
}

/** A logger that keeps every line it writes, parsed. */
export function capturingLogger(): { log: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  return {
    log: createLogger({}, 'info', (line) => lines.push(JSON.parse(line) as Record<string, unknown>)),
    lines,
  };
}
