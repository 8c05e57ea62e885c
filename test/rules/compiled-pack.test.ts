/**
 * The pre-compiled pack (dist/rules-pack.json) loads the same rules as the YAML it was built from:
 * the same metadata, index requirements, prefilters and warnings, and the same verdict on every
 * record for every rule, with or without placeholders configured. A rule that does not load stops
 * the build, with its file and line.
 */
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { DetectionRule, Placeholders, RulePack, RuleSet } from '../../lib/rules';
import {
  buildRulePack,
  isRulePack,
  loadRulePack,
  loadRules,
  RuleEngine,
  RulePackBuildError,
  shippedRulesDir,
} from '../../lib/rules';
import { canDecidePartly } from '../../lib/rules/detection';
import { detectionKeys } from '../../lib/rules/detection-item';
import { ruleDir } from '../helpers/rules';

const shipped = shippedRulesDir();
const ROOT = join(shipped, '..');
const pack = buildRulePack([shipped], ROOT, 'test-source');
/** A pack through JSON, as Lambda reads it. */
const packJson = JSON.parse(JSON.stringify(pack)) as unknown;

const examples = ['otrf-ec2-proxy-s3-exfiltration.jsonl', 'aws-docs-examples.jsonl'].flatMap((name) =>
  readFileSync(join(ROOT, 'examples', 'logs', 'jsonl', name), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>),
);
/**
 * The examples, and each again as an AWS service's call: rules' `not filter_*` on userIdentity
 * then rule records out by their partial matchers (the prefilter's known fields).
 */
const records = [
  ...examples,
  ...examples.map(
    (record): Record<string, unknown> => ({
      ...record,
      userIdentity: { type: 'AWSService', invokedBy: 'lambda.amazonaws.com' },
    }),
  ),
].map((record) => ({ raw: JSON.stringify(record), record }));

/** Every field of a rule but its matcher, tests and location (the pack's files are relative). */
function comparable(rule: DetectionRule) {
  return {
    meta: rule.meta,
    requirement: rule.requirement,
    text: rule.text,
    partly: canDecidePartly(rule.partial),
    detection: { ...rule.detection },
    keys: rule.keys ?? detectionKeys(rule.detection),
    warnings: rule.warnings.map((w) => ({ message: w.message, line: w.location.line })),
    firstSeen: rule.firstSeen && {
      fields: rule.firstSeen.fields.map((f) => f.spec),
      groupBy: rule.firstSeen.groupBy.map((f) => f.spec),
      learningMs: rule.firstSeen.learningMs,
      forgetMs: rule.firstSeen.forgetMs,
    },
  };
}

function packJsonOrThrow(): RulePack {
  if (!isRulePack(packJson)) throw new Error('the built pack is not a RulePack');
  return packJson;
}

function expectSameRules(fromPack: RuleSet, fromYaml: RuleSet): void {
  expect(fromPack.errors.map((e) => e.toString())).toEqual([]);
  expect(fromYaml.errors.map((e) => e.toString())).toEqual([]);
  expect(fromPack.detections.map((r) => r.meta.id)).toEqual(fromYaml.detections.map((r) => r.meta.id));
  expect(fromPack.detections.map((r) => r.location.file)).toEqual(
    fromYaml.detections.map((r) => relative(ROOT, r.location.file)),
  );
  expect(fromPack.detections.map(comparable)).toEqual(fromYaml.detections.map(comparable));
  expect(fromPack.correlations).toEqual(
    fromYaml.correlations.map((c) => ({
      ...c,
      location: { ...c.location, file: relative(ROOT, c.location.file) },
    })),
  );
  expect([...fromPack.correlationOnly]).toEqual([...fromYaml.correlationOnly]);
  expect(fromPack.files).toBe(fromYaml.files);
  // Every rule on every record, not only the ones the index lets through.
  for (const [index, rule] of fromPack.detections.entries()) {
    const twin = fromYaml.detections[index] as DetectionRule;
    for (const { record } of records)
      expect(rule.match(record), `${rule.meta.id} on ${String(record.eventID)}`).toBe(twin.match(record));
  }
  // And through the engine: the index and the prefilter built from the packed data agree.
  const viaPack = new RuleEngine(fromPack.detections);
  const viaYaml = new RuleEngine(fromYaml.detections);
  for (const { raw, record } of records) {
    const ids = (engine: RuleEngine) =>
      engine.evaluate(record, raw).map((e) => `${e.kind} ${e.rule.meta.id}`);
    expect(ids(viaPack)).toEqual(ids(viaYaml));
    for (const unlinked of [false, true])
      expect(viaPack.mayMatchText(raw, () => unlinked)).toBe(viaYaml.mayMatchText(raw, () => unlinked));
  }
}

describe('the pre-compiled shipped pack', () => {
  it('is a pack of this format, with every rule file and rule', () => {
    expect(isRulePack(packJson)).toBe(true);
    expect(pack.files).toBe(loadRules([shipped]).files);
    expect(pack.detections.length).toBeGreaterThan(200);
    expect(pack.detections.some((rule) => rule.placeholders !== undefined)).toBe(true);
  });

  const cases: { name: string; placeholders: Placeholders }[] = [
    { name: 'no placeholder configured', placeholders: {} },
    {
      name: 'placeholders configured with no values',
      placeholders: { ci_principals: [], trusted_accounts: [] },
    },
    {
      name: 'placeholders with values (those rules compile at load)',
      placeholders: {
        ci_principals: ['arn:aws:iam::*:role/deploy-*'],
        trusted_accounts: ['111122223333'],
        approved_regions: ['us-east-1', 'eu-west-1'],
        wide_permission_roles: ['arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_Admin*'],
        audited_people: ['alice*'],
      },
    },
  ];
  for (const { name, placeholders } of cases) {
    it(`loads what the YAML loads, rule by rule and record by record: ${name}`, () => {
      expectSameRules(
        loadRulePack(packJsonOrThrow(), { placeholders }),
        loadRules([shipped], { placeholders }),
      );
    });
  }

  it('builds no detection until a rule is tried on a record (a cold start parses none of them)', () => {
    const texts = new Set(packJsonOrThrow().detections.map((rule) => rule.detectionJson));
    const parsed: string[] = [];
    const parse = JSON.parse;
    const spy = vi
      .spyOn(JSON, 'parse')
      .mockImplementation((text: string, reviver?: Parameters<typeof parse>[1]) => {
        if (texts.has(text)) parsed.push(text);
        return parse(text, reviver);
      });
    try {
      const set = loadRulePack(packJsonOrThrow(), {});
      const engine = new RuleEngine(set.detections.filter((rule) => !set.correlationOnly.has(rule.meta.id)));
      expect(parsed).toEqual([]);
      for (const { raw, record } of records) engine.evaluate(record, raw);
      // Some rules were tried and built; most never met a record that got that far.
      expect(parsed.length).toBeGreaterThan(0);
      expect(parsed.length).toBeLessThan(texts.size);
    } finally {
      spy.mockRestore();
    }
  });

  it('under --strict, a rule only warned about at build time is compiled and refused, as from YAML', () => {
    const dir = ruleDir({
      'impossible.yml': `title: impossible field
id: 0f1d7d39-0000-4000-8000-0000000000aa
logsource: {product: aws, service: cloudtrail}
detection:
  selection: {eventSource: iam.amazonaws.com, eventname: CreateUser}
  condition: selection
`,
    });
    const built = buildRulePack([dir], dir, 's');
    expect(built.detections[0]?.compiled.warnings.length).toBe(1);
    const strictPack = loadRulePack(built, { strictFields: true });
    const strictYaml = loadRules([dir], { strictFields: true });
    expect(strictPack.detections).toEqual([]);
    expect(strictPack.errors.map((e) => [e.code, e.message])).toEqual(
      strictYaml.errors.map((e) => [e.code, e.message]),
    );
    expect(loadRulePack(built).detections.map((r) => r.meta.id)).toEqual([
      '0f1d7d39-0000-4000-8000-0000000000aa',
    ]);
  });
});

describe('building a pack', () => {
  it('fails on any rule that does not load, naming its file, line and title', () => {
    const dir = ruleDir({
      'a-good.yml': `title: good
id: 0f1d7d39-0000-4000-8000-0000000000b1
logsource: {product: aws, service: cloudtrail}
detection: {selection: {eventName: CreateUser}, condition: selection}
`,
      'b-bad-regex.yml': `title: bad regex
id: 0f1d7d39-0000-4000-8000-0000000000b2
logsource: {product: aws, service: cloudtrail}
detection:
  selection:
    userAgent|re: '(a)\\1'
  condition: selection
`,
    });
    let thrown: unknown;
    try {
      buildRulePack([dir], dir, 's');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(RulePackBuildError);
    const message = thrown instanceof Error ? thrown.message : '';
    expect(message).toContain('1 rule(s) failed to load');
    expect(message).toMatch(/b-bad-regex\.yml:6/);
    expect(message).toContain("rule 0f1d7d39-0000-4000-8000-0000000000b2 'bad regex'");
    expect(message).toContain('backreferences');
  });

  it('leaves inline tests out and keeps the rule ids YAML gives a rule without one', () => {
    const dir = ruleDir({
      'no-id.yml': `title: no id
logsource: {product: aws, service: cloudtrail}
detection: {selection: {eventName: CreateUser}, condition: selection}
tests:
  - {name: t, expect: true, event: {eventName: CreateUser}}
`,
    });
    const built = buildRulePack([dir], dir, 's');
    expect(JSON.stringify(built)).not.toContain('"tests"');
    const fromYaml = loadRules([join(dir, 'no-id.yml')]);
    expect(fromYaml.detections[0]?.meta.id).toMatch(/^trailwatch-/);
    // The id is derived from the file as the pack names it (relative), as the old pack did.
    expect(loadRulePack(built).detections[0]?.meta.id).toMatch(/^trailwatch-[0-9a-f]{16}$/);
    expect(loadRulePack(built).detections[0]?.tests).toEqual([]);
  });
});

describe('reading a pack', () => {
  const cases: { name: string; value: unknown; ok: boolean }[] = [
    {
      name: 'this format',
      value: { version: 3, source: 's', files: 0, detections: [], correlations: [] },
      ok: true,
    },
    {
      name: 'the format whose detections were objects',
      value: { version: 2, source: 's', files: 0, detections: [], correlations: [] },
      ok: false,
    },
    { name: 'the pre-parsed format of earlier builds', value: { version: 1, documents: [] }, ok: false },
    { name: 'another version', value: { version: 4, detections: [], correlations: [] }, ok: false },
    { name: 'not an object', value: [], ok: false },
    { name: 'null', value: null, ok: false },
  ];
  for (const { name, value, ok } of cases)
    it(`${ok ? 'accepts' : 'refuses'} ${name}`, () => {
      expect(isRulePack(value)).toBe(ok);
    });

  it('a user rule with a shipped id is the one left out, as when both were YAML', () => {
    const id = pack.detections[0]?.meta.id ?? '';
    const dir = ruleDir({
      'copy.yml': `title: a copy
id: ${id}
logsource: {product: aws, service: cloudtrail}
detection: {selection: {eventName: CreateUser}, condition: selection}
`,
    });
    const set = loadRules([dir], { pack: packJsonOrThrow() });
    expect(set.detections.filter((r) => r.meta.id === id).map((r) => r.meta.title)).toEqual([
      pack.detections[0]?.meta.title,
    ]);
    expect(set.errors.map((e) => e.code)).toEqual(['duplicate-id']);
  });
});
