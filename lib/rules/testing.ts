import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Placeholders } from './compile';
import { compileDetection } from './compile';
import type { RuleLocation } from './errors';
import type { RuleTestDefinition } from './schema';
import type { DetectionRule } from './types';

export interface RuleTestResult {
  readonly rule: DetectionRule;
  readonly name: string;
  readonly expect: boolean;
  readonly passed: boolean;
  /** Why it failed: what matched and what did not, or the error. */
  readonly why?: string;
  readonly location: RuleLocation;
}

/**
 * Runs a rule's inline tests. A test may bring its own placeholder values; the rule is then
 * recompiled with them over the configured ones, so a test never depends on a user's config.
 */
export function runRuleTests(rule: DetectionRule, placeholders: Placeholders): RuleTestResult[] {
  return rule.tests.map((test, index) => runOne(rule, test, index, placeholders));
}

function runOne(
  rule: DetectionRule,
  test: RuleTestDefinition,
  index: number,
  placeholders: Placeholders,
): RuleTestResult {
  const name = test.name ?? `test ${index + 1}`;
  const base = { rule, name, expect: test.expect, location: rule.location };
  let event: Record<string, unknown>;
  try {
    event = test.event ?? loadFixture(rule.location.file, test.file ?? '');
  } catch (error) {
    return { ...base, passed: false, why: `cannot load ${test.file}: ${(error as Error).message}` };
  }
  const effective = { ...placeholders, ...(test.placeholders ?? {}) };
  const compiled = compileDetection(rule.detection, effective, () => {});
  if (!compiled.ok) return { ...base, passed: false, why: compiled.errors.map((e) => e.message).join('; ') };
  let matched: boolean;
  try {
    matched = compiled.part.match(event);
  } catch (error) {
    return { ...base, passed: false, why: `the rule threw: ${(error as Error).message}` };
  }
  if (matched === test.expect) return { ...base, passed: true };
  return { ...base, passed: false, why: explain(rule, event, effective, matched) };
}

function loadFixture(ruleFile: string, path: string): Record<string, unknown> {
  const file = resolve(dirname(ruleFile), path);
  // A FIFO or device would block the read (or never end): fixtures are regular files.
  if (!statSync(file).isFile()) throw new Error('not a regular file (a folder, FIFO, socket or device)');
  const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new Error('a fixture holds one JSON object');
  return parsed as Record<string, unknown>;
}

/** Says which selections matched the event, so the author sees which part of the condition is off. */
function explain(
  rule: DetectionRule,
  event: Record<string, unknown>,
  placeholders: Placeholders,
  matched: boolean,
): string {
  const selections: string[] = [];
  for (const [name, definition] of Object.entries(rule.detection)) {
    if (name === 'condition') continue;
    const single = compileDetection({ [name]: definition, condition: name }, placeholders, () => {});
    if (single.ok) selections.push(`${name} ${single.part.match(event) ? 'matched' : 'did not match'}`);
  }
  const condition = Array.isArray(rule.detection.condition)
    ? rule.detection.condition.join(' | ')
    : String(rule.detection.condition);
  return `expected ${matched ? 'no match' : 'a match'} but the rule ${matched ? 'matched' : 'did not match'}: ${selections.join(', ')}; condition: ${condition}`;
}
