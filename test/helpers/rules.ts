import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Placeholders } from '../../lib/rules';
import { compileDetection } from '../../lib/rules';

/** Compiles a detection block and tests one event against it; throws with the compile errors. */
export function detects(
  detection: Record<string, unknown>,
  event: Record<string, unknown>,
  placeholders: Placeholders = {},
): boolean {
  const compiled = compileDetection(detection, placeholders, () => {});
  if (!compiled.ok) throw new Error(compiled.errors.map((e) => e.message).join('; '));
  return compiled.part.match(event);
}

export function compileErrors(detection: Record<string, unknown>, placeholders: Placeholders = {}): string[] {
  const compiled = compileDetection(detection, placeholders, () => {});
  return compiled.ok ? [] : compiled.errors.map((e) => e.message);
}

/** Writes rule files into a fresh folder and returns its path. */
export function ruleDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'trailwatch-rules-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}
