/**
 * Selections repeated across a load's rules are compiled once and matched once per evaluated
 * record (lib/rules/compile-detection.ts `SelectionCache`, lib/rules/detection.ts `answeredOnce`):
 * every rule must still get exactly the matches and the warnings it would get alone.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadRules, RuleEngine } from '../../lib/rules';
import type { CompiledPart, RecordView } from '../../lib/rules/detection';
import { answeredOnce, sharingAnswers } from '../../lib/rules/detection';
import { ruleDir } from '../helpers/rules';

const rule = (title: string, detection: string) => `title: ${title}
logsource: {product: aws, service: cloudtrail}
detection:
${detection}
`;

/** A rule and copies of it that each leave out one more principal, as a team tunes a copy. */
function ruleAndCopies(copies: number): Record<string, string> {
  const selection =
    '  selection: {eventSource: iam.amazonaws.com, eventName: [CreateUser, CreateAccessKey], userAgent|contains: aws-cli}';
  const files: Record<string, string> = {
    'original.yml': rule('original', `${selection}\n  condition: selection`),
  };
  for (let i = 1; i <= copies; i++) {
    files[`copy-${i}.yml`] = rule(
      `copy ${i}`,
      `${selection}\n  filter: {userIdentity.arn: 'arn:aws:iam::111122223333:user/bot-${i}'}\n  condition: selection and not filter`,
    );
  }
  return files;
}

function countingPart(): { part: CompiledPart; calls: () => number } {
  let calls = 0;
  const part: CompiledPart = {
    match: (record) => {
      calls++;
      return record.eventName === 'CreateUser';
    },
    requirement: undefined,
    text: true,
    partial: () => undefined,
  };
  return { part, calls: () => calls };
}

describe('a part shared between rules', () => {
  it('is matched once per evaluation, and afresh in the next one', () => {
    const { part, calls } = countingPart();
    const shared = answeredOnce(part);
    const record: RecordView = { eventName: 'CreateUser' };
    expect(sharingAnswers(() => [shared.match(record), shared.match(record), shared.match(record)])).toEqual([
      true,
      true,
      true,
    ]);
    expect(calls()).toBe(1);
    expect(sharingAnswers(() => shared.match({ eventName: 'DeleteUser' }))).toBe(false);
    expect(calls()).toBe(2);
  });

  it('answers a partial match once per set of known fields, and afresh for the next text', () => {
    let partialCalls = 0;
    const shared = answeredOnce({
      ...countingPart().part,
      partial: (known) => {
        partialCalls++;
        return known.eventName === undefined ? undefined : known.eventName === 'CreateUser';
      },
    });
    const known: RecordView = { eventName: 'DeleteUser' };
    expect([shared.partial(known), shared.partial(known)]).toEqual([false, false]);
    expect(partialCalls).toBe(1);
    expect(shared.partial({ eventName: 'CreateUser' })).toBe(true);
    expect(shared.partial({})).toBeUndefined();
    expect(partialCalls).toBe(3);
  });

  it('is matched afresh on every call outside an evaluation, so a changed record is never answered stale', () => {
    const { part, calls } = countingPart();
    const shared = answeredOnce(part);
    const record: Record<string, unknown> = { eventName: 'CreateUser' };
    expect(shared.match(record)).toBe(true);
    record.eventName = 'DeleteUser';
    expect(shared.match(record)).toBe(false);
    expect(calls()).toBe(2);
  });
});

describe('rules that repeat a selection', () => {
  it('each get the warnings of the selection, at their own file', () => {
    const unset = "  who: {userIdentity.arn|expand: '%admins%'}\n  condition: who";
    const set = loadRules([ruleDir({ 'a.yml': rule('a', unset), 'b.yml': rule('b', unset) })]);
    expect(set.errors).toEqual([]);
    const files = set.warnings.map((warning) => warning.location?.file?.split('/').pop()).sort();
    expect(files).toEqual(['a.yml', 'b.yml']);
  });

  it('each match exactly what they match alone (property)', () => {
    const set = loadRules([ruleDir(ruleAndCopies(6))]);
    expect(set.errors).toEqual([]);
    const engine = new RuleEngine(set.detections);
    const records = fc.record({
      eventSource: fc.constantFrom('iam.amazonaws.com', 'sts.amazonaws.com'),
      eventName: fc.constantFrom('CreateUser', 'CreateAccessKey', 'DeleteUser'),
      userAgent: fc.constantFrom('aws-cli/2.15', 'Boto3/1.34', 'AWS-CLI'),
      userIdentity: fc.record({
        arn: fc.constantFrom(
          ...[1, 2, 3, 4, 5, 6, 7].map((i) => `arn:aws:iam::111122223333:user/bot-${i}`),
          'arn:aws:iam::111122223333:user/alice',
        ),
      }),
    });
    fc.assert(
      fc.property(records, (record) => {
        // Outside an evaluation every rule matches afresh: what each rule gives on its own.
        const alone = set.detections.filter((r) => r.match(record)).map((r) => r.meta.title);
        const raw = JSON.stringify(record);
        // The raw-text checks (the shared selections' partial matches among them) never rule out a
        // record a rule matches; a memo let go (`passOver`) changes no answer of the evaluation.
        const mayMatch = engine.mayMatchText(raw);
        if (alone.length > 0) expect(mayMatch).toBe(true);
        if (mayMatch && record.userAgent === 'AWS-CLI') engine.passOver(raw);
        const together = engine.evaluate(record, raw).map((o) => o.rule.meta.title);
        expect(together.sort()).toEqual(alone.sort());
      }),
      { numRuns: 400 },
    );
  });
});
