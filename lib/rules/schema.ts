import * as z from '../validation';
import { plainRecord } from '../yaml/plain-record';

/** https://sigmahq.io/sigma-specification/specification/sigma-rules-specification.html#level */
export const LEVELS = ['informational', 'low', 'medium', 'high', 'critical'] as const;
export type Level = (typeof LEVELS)[number];
export const STATUSES = ['stable', 'test', 'experimental', 'deprecated', 'unsupported'] as const;

export function levelRank(level: Level): number {
  return LEVELS.indexOf(level);
}

/** `30s`, `10m`, `1h`, `7d`: Sigma's timespan notation, also used by dedup windows. */
export const DURATION = /^(\d+)\s*(s|m|h|d|w)$/;
const WEEK_MS = 6.048e8;
const DURATION_MS: Readonly<Record<string, number>> = { s: 1e3, m: 6e4, h: 3.6e6, d: 8.64e7, w: WEEK_MS };

/** `2024-05-01` (pySigma also takes `2024-5-1`): a day that exists in the calendar. */
const SIGMA_DAY = /^(\d{4})-(\d{1,2})-(\d{1,2})$/;

function isCalendarDay(text: string): boolean {
  const match = SIGMA_DAY.exec(text);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

const CORRELATION_TYPES = ['event_count', 'value_count', 'temporal', 'temporal_ordered'] as const;

/** The longest duration whose milliseconds are a safe integer, in whole weeks. */
const MAX_DURATION_WEEKS = Math.floor(Number.MAX_SAFE_INTEGER / WEEK_MS);

export function durationMs(text: string): number {
  const match = DURATION.exec(text.trim());
  if (!match) throw new Error(`bad duration ${text}`);
  return Number(match[1]) * (DURATION_MS[match[2] as string] as number);
}

/**
 * The rule file schemas. Built on first use, not at module load: building them took about 14 ms of
 * every Lambda cold start (measured in a fresh Node 20 process), and the functions read the shipped
 * pack compiled at build time, so most never validate a rule file.
 */
function buildRuleSchemas() {
  const duration = z.string().check(
    z.regex(DURATION, 'a duration such as 30s, 10m, 1h or 7d'),
    // Past this the milliseconds are no longer exact, and a state table's expiry time no integer.
    z.refine(
      (text) => !DURATION.test(text.trim()) || Number.isSafeInteger(durationMs(text)),
      `a duration of at most ${MAX_DURATION_WEEKS.toLocaleString('en-US')} weeks`,
    ),
  );
  /** A window over no time at all would count only events of one same millisecond. */
  const timespan = duration.check(
    z.refine((text) => !DURATION.test(text.trim()) || durationMs(text) > 0, 'a duration longer than 0'),
  );
  /** Counts of events or values are never negative: a negative bound holds for every window. */
  const bound = z.number().check(z.gte(0, 'a count, 0 or more'));

  const ruleTestSchema = z
    .object({
      name: z.optional(z.string()),
      expect: z.boolean({ error: 'expect must be true or false' }),
      event: z.optional(plainRecord(z.string(), z.unknown())),
      file: z.optional(z.string()),
      placeholders: z.optional(plainRecord(z.string(), z.array(z.string()))),
    })
    .check(
      z.refine((test) => (test.event === undefined) !== (test.file === undefined), {
        error: 'a test needs exactly one of event (inline) or file (a fixture path)',
      }),
    );

  /**
   * `date` and `modified`: an ISO 8601 day, YYYY-MM-DD, as the Sigma specification writes them and
   * pySigma reads them (SigmaDateError otherwise); a YAML parser may hand over a date already.
   * https://sigmahq.io/sigma-specification/specification/sigma-rules-specification.html#date
   */
  const sigmaDate = z.custom<string | Date>(
    (value) => value instanceof Date || (typeof value === 'string' && isCalendarDay(value)),
    { error: (issue) => `a day written YYYY-MM-DD, such as 2024-05-01; got ${JSON.stringify(issue.input)}` },
  );

  const metadata = {
    title: z.string({ error: 'title is required (a string)' }).check(z.minLength(1, 'title is required')),
    id: z.optional(z.string().check(z.minLength(1))),
    name: z.optional(z.string().check(z.minLength(1))),
    status: z.optional(z.enum(STATUSES)),
    description: z.optional(z.string()),
    author: z.optional(z.string()),
    date: z.optional(sigmaDate),
    modified: z.optional(sigmaDate),
    references: z.optional(z.array(z.string())),
    tags: z.optional(z.array(z.string())),
    falsepositives: z.optional(z.union([z.array(z.string()), z.string()])),
    level: z.optional(z.enum(LEVELS)),
  };

  /**
   * trailwatch's first-seen extension: a top-level key other Sigma tools keep as a custom attribute,
   * so the file stays valid Sigma. A match alerts only when the combination of `fields` (for the
   * `group-by` entity, when given) was not seen before; `learning` is how long after the first match
   * the rule only learns; `forget` is how long an unseen combination is remembered.
   */
  const firstSeenSchema = z.strictObject({
    fields: z
      .array(z.string().check(z.minLength(1)))
      .check(z.minLength(1, 'first_seen.fields names at least one field')),
    'group-by': z.optional(z.array(z.string().check(z.minLength(1)))),
    learning: z.optional(duration),
    forget: z.optional(duration),
  });

  const logsourceSchema = z.looseObject({
    product: z.optional(z.string()),
    service: z.optional(z.string()),
    category: z.optional(z.string()),
  });

  /** `detection:`: selection names are plain data (`constructor` is a name like any other): see plainRecord. */
  const detectionBlockSchema = plainRecord(z.string(), z.unknown());

  /** A Sigma detection rule with trailwatch's extensions. Unknown keys from other tools are kept. */
  const detectionRuleSchema = z.looseObject({
    ...metadata,
    logsource: logsourceSchema,
    detection: detectionBlockSchema,
    fields: z.optional(z.array(z.string())),
    tests: z.optional(z.array(ruleTestSchema)),
    notify: z.optional(
      z.looseObject({
        destinations: z.optional(z.array(z.string())),
        channel: z.optional(z.string()),
      }),
    ),
    dedup: z.optional(
      z.object({
        fields: z.optional(z.array(z.string())),
        window: z.optional(duration),
      }),
    ),
    runbook: z.optional(z.string()),
    first_seen: z.optional(firstSeenSchema),
  });
  const comparison = z.strictObject({
    gt: z.optional(bound),
    gte: z.optional(bound),
    lt: z.optional(bound),
    lte: z.optional(bound),
    eq: z.optional(bound),
    field: z.optional(z.string()),
  });

  /** https://sigmahq.io/sigma-specification/specification/sigma-correlation-rules-specification.html */
  const correlationBlockSchema = z.object({
    type: z.enum(CORRELATION_TYPES),
    rules: z.union([z.string(), z.array(z.string()).check(z.minLength(1))]),
    'group-by': z.optional(z.array(z.string())),
    timespan,
    condition: z.optional(comparison),
    generate: z.optional(z.boolean()),
    aliases: z.optional(z.record(z.string(), z.record(z.string(), z.string()))),
  });

  const correlationRuleSchema = z.looseObject({
    ...metadata,
    correlation: correlationBlockSchema,
    notify: z.optional(z.looseObject({ destinations: z.optional(z.array(z.string())) })),
    fields: z.optional(z.array(z.string())),
    runbook: z.optional(z.string()),
  });
  return {
    ruleTestSchema,
    firstSeenSchema,
    logsourceSchema,
    detectionBlockSchema,
    detectionRuleSchema,
    correlationBlockSchema,
    correlationRuleSchema,
  };
}

type RuleSchemas = ReturnType<typeof buildRuleSchemas>;
let ruleSchemasBuilt: RuleSchemas | undefined;

/** The rule file schemas, built on the first call (see `buildRuleSchemas`). */
export function ruleSchemas(): RuleSchemas {
  ruleSchemasBuilt ??= buildRuleSchemas();
  return ruleSchemasBuilt;
}

export type RuleTestDefinition = z.infer<RuleSchemas['ruleTestSchema']>;
export type FirstSeenDocument = z.infer<RuleSchemas['firstSeenSchema']>;
export type DetectionRuleDocument = z.infer<RuleSchemas['detectionRuleSchema']>;
export type CorrelationRuleDocument = z.infer<RuleSchemas['correlationRuleSchema']>;
