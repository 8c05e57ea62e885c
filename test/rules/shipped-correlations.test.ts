import { relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CorrelationEngine } from '../../lib/correlate';
import type { CloudTrailRecord } from '../../lib/records';
import type { CorrelationRule, DetectionRule, Placeholders } from '../../lib/rules';
import { loadRules, shippedRulesDir } from '../../lib/rules';
import { MemoryStateStore } from '../../lib/state';
import { detects } from '../helpers/rules';

/**
 * Every shipped correlation rule gets a positive and negative case built from the positive tests of
 * the rules it counts (realistic records written beside those rules): enough matches in one group
 * within the timespan alert; one match fewer, the same matches spread past the timespan, or the
 * matches split between groups do not. Each generated record is checked to still match its rule,
 * so a case that no longer exercises the correlation fails instead of passing quietly.
 */

const dir = shippedRulesDir();
const set = loadRules([dir]);
const detectionsById = new Map(set.detections.map((rule) => [rule.meta.id, rule]));
const T0 = Date.parse('2024-05-01T10:00:00Z');

/** Values a value_count field can take for each generated record, when the rules' tests have too few. */
const DISTINCT_VALUES: Readonly<Record<string, (index: number, original: string) => string>> = {
  awsRegion: (index) => REGIONS[index % REGIONS.length] as string,
  sourceIPAddress: (index) => `198.51.100.${(index % 250) + 1}`,
};
const REGIONS = [
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'eu-central-1',
  'eu-north-1',
  'ap-south-1',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-northeast-1',
  'ap-northeast-2',
  'ca-central-1',
  'sa-east-1',
  'eu-south-1',
  'me-south-1',
  'af-south-1',
  'ap-east-1',
];

interface Sample {
  readonly rule: DetectionRule;
  readonly event: Record<string, unknown>;
  readonly placeholders: Placeholders;
}

function positiveSamples(rule: DetectionRule): Sample[] {
  return rule.tests
    .filter((test) => test.expect && test.event !== undefined)
    .map((test) => ({
      rule,
      event: test.event as Record<string, unknown>,
      placeholders: test.placeholders ?? {},
    }));
}

function setPath(event: Record<string, unknown>, path: string, value: string): Record<string, unknown> {
  const copy = structuredClone(event);
  const parts = path.split('.');
  let node: Record<string, unknown> = copy;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (typeof next !== 'object' || next === null) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts.at(-1) as string] = value;
  return copy;
}

function readPath(event: Record<string, unknown>, path: string): unknown {
  let node: unknown = event;
  for (const part of path.split('.')) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

/** Plain values (no modifier, no wildcard) a detection lists for a field, in any selection. */
function valuesListedFor(node: unknown, field: string): string[] {
  if (Array.isArray(node)) return node.flatMap((item) => valuesListedFor(item, field));
  if (typeof node !== 'object' || node === null) return [];
  return Object.entries(node).flatMap(([key, value]) => {
    if (key !== field) return valuesListedFor(value, field);
    const values = Array.isArray(value) ? value : [value];
    return values.filter((item): item is string => typeof item === 'string' && !/[*?]/.test(item));
  });
}

/** The threshold the condition asks for: the smallest count that fires. */
function threshold(correlation: CorrelationRule): number {
  const { gte, gt, eq } = correlation.condition;
  if (typeof gte === 'number') return gte;
  if (typeof gt === 'number') return gt + 1;
  if (typeof eq === 'number') return eq;
  throw new Error(`${correlation.meta.id}: this test builds cases for gte, gt and eq conditions only`);
}

interface Step {
  readonly sample: Sample;
  readonly event: Record<string, unknown>;
}

/** The matches that complete the correlation once, in one group. */
function completingSteps(correlation: CorrelationRule): Step[] {
  const rules = correlation.ruleIds.map((id) => detectionsById.get(id));
  const samples = rules.flatMap((rule) => (rule ? positiveSamples(rule) : []));
  if (correlation.type === 'temporal' || correlation.type === 'temporal_ordered') {
    return correlation.ruleIds.map((id) => {
      const sample = samples.find((candidate) => candidate.rule.meta.id === id);
      if (!sample) throw new Error(`${correlation.meta.id}: rule ${id} has no positive test to start from`);
      return { sample, event: sample.event };
    });
  }
  const first = samples[0];
  if (!first) throw new Error(`${correlation.meta.id}: its rules have no positive test to start from`);
  const count = threshold(correlation);
  if (correlation.type === 'event_count')
    return Array.from({ length: count }, () => ({ sample: first, event: first.event }));
  const field = String(correlation.condition.field);
  // Distinct values taken from the rules' own positive tests first (real event names, say), then
  // made up where the field allows it.
  const steps: Step[] = [];
  const seen = new Set<string>();
  for (const sample of samples) {
    const value = JSON.stringify(readPath(sample.event, field));
    if (seen.has(value) || steps.length >= count) continue;
    seen.add(value);
    steps.push({ sample, event: sample.event });
  }
  // Then the values the rules themselves list for the field (a list of event names, say).
  for (const rule of rules) {
    for (const value of rule ? valuesListedFor(rule.detection, field) : []) {
      if (seen.has(JSON.stringify(value)) || steps.length >= count) continue;
      seen.add(JSON.stringify(value));
      steps.push({ sample: first, event: setPath(first.event, field, value) });
    }
  }
  const invent = DISTINCT_VALUES[field] ?? ((index: number, original: string) => `${original}${index}`);
  for (let index = 0; steps.length < count; index += 1) {
    const original = String(readPath(first.event, field) ?? '');
    const value = invent(index, original);
    if (seen.has(JSON.stringify(value))) continue;
    seen.add(JSON.stringify(value));
    steps.push({ sample: first, event: setPath(first.event, field, value) });
  }
  return steps;
}

let serial = 0;
/** Gives each step its own event id and time, and makes the group-by fields agree (or differ). */
function records(
  correlation: CorrelationRule,
  steps: readonly Step[],
  spacingMs: number,
  groupOf: (index: number) => string | undefined,
): { step: Step; record: CloudTrailRecord }[] {
  const reference = steps[0]?.event ?? {};
  return steps.map((step, index) => {
    let event = step.event;
    for (const field of correlation.groupBy) {
      if (field.startsWith('actor.')) continue;
      const shared = readPath(reference, field);
      const group = groupOf(index);
      const value = group === undefined ? shared : `${String(shared ?? '')}-${group}`;
      if (value !== undefined && value !== readPath(event, field))
        event = setPath(event, field, String(value));
    }
    serial += 1;
    const record = {
      ...event,
      eventID: `00000000-0000-4000-8000-${String(serial).padStart(12, '0')}`,
      eventTime: new Date(T0 + index * spacingMs).toISOString(),
    } as CloudTrailRecord;
    return { step, record };
  });
}

async function alertsOf(
  correlation: CorrelationRule,
  sequence: readonly { step: Step; record: CloudTrailRecord }[],
): Promise<number> {
  const engine = new CorrelationEngine([correlation], new MemoryStateStore());
  let raised = 0;
  for (const { step, record } of sequence) {
    const { rule, placeholders } = step.sample;
    const where = `${relative(dir, rule.location.file)} (record ${record.eventID})`;
    expect(detects(rule.detection, record as unknown as Record<string, unknown>, placeholders), where).toBe(
      true,
    );
    const alerts = await engine.observe(rule, record);
    raised += alerts.filter((alert) => alert.rule.id === correlation.meta.id).length;
  }
  return raised;
}

/** Records close enough together: the whole sequence fits in a tenth of the timespan. */
function tightSpacing(correlation: CorrelationRule, count: number): number {
  return Math.max(1, Math.floor(correlation.timespanMs / 10 / Math.max(count, 1)));
}

const CASES = set.correlations.map(
  (correlation) => [relative(dir, correlation.location.file), correlation] as const,
);

describe('the shipped correlation rules', () => {
  it('are tested here, all of them', () => {
    expect(CASES.length).toBe(set.correlations.length);
    expect(CASES.length).toBeGreaterThanOrEqual(18);
  });

  describe.each(CASES)('%s', (_file, correlation) => {
    const steps = completingSteps(correlation);
    const tight = tightSpacing(correlation, steps.length);

    it('alerts when its matches complete it within the timespan', async () => {
      expect(
        await alertsOf(
          correlation,
          records(correlation, steps, tight, () => undefined),
        ),
      ).toBe(1);
    });

    it('stays quiet one match short', async () => {
      expect(
        await alertsOf(
          correlation,
          records(correlation, steps.slice(0, -1), tight, () => undefined),
        ),
      ).toBe(0);
    });

    it('stays quiet when the matches are spread past the timespan', async () => {
      const spread = correlation.timespanMs + 1000;
      expect(
        await alertsOf(
          correlation,
          records(correlation, steps, spread, () => undefined),
        ),
      ).toBe(0);
    });

    it.runIf(correlation.groupBy.some((field) => !field.startsWith('actor.')))(
      'stays quiet when the matches come from different groups',
      async () => {
        expect(
          await alertsOf(
            correlation,
            records(correlation, steps, tight, (index) => `g${index}`),
          ),
        ).toBe(0);
      },
    );
  });
});
