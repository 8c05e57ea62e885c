import { stat } from 'node:fs/promises';
import { ActorResolver, MemorySessionStore } from '../actor';
import type { Alert } from '../alerts';
import { isKnownPerson } from '../alerts';
import type { TrailwatchConfig } from '../config';
import type { DriverEvent } from '../driver';
import { describeRuleError, drive, emptyTally, recordsRead } from '../driver';
import type { ActorSource } from '../driver/driver';
import { TrailwatchError } from '../errors';
import type { Input, LayoutFilter, Origin, S3Settings } from '../ingest';
import {
  classifyReadError,
  createS3Client,
  describeError,
  filesUnder,
  formatOrigin,
  keyMayMatch,
  listLogObjectsByDay,
  parseLogFileKey,
} from '../ingest';
import { AlertPipeline } from '../pipeline';
import type { CloudTrailRecord } from '../records';
import type { Level, RuleSet } from '../rules';
import { RuleEngine } from '../rules';
import type { StateStore } from '../state';
import { MemoryStateStore } from '../state';
import { isoDay, utcDays } from '../time';

export type BacktestSource =
  | { readonly kind: 's3'; readonly bucket: string; readonly prefix: string }
  | { readonly kind: 'dir'; readonly path: string }
  /**
   * Records another engine found (`backtest --engine athena`: the records the rules matched, in
   * event-time order), replayed as one in-memory source named `name`.
   */
  | { readonly kind: 'records'; readonly name: string; readonly records: readonly CloudTrailRecord[] };

/** Objects read at once: enough to hide S3 latency, few enough to keep memory flat. */
export const DEFAULT_BACKTEST_CONCURRENCY = 8;
/** Problems listed one by one in the report; the rest are counted. */
export const MAX_LISTED_PROBLEMS = 100;
/** Principals named per rule in the report (the table shows the first, JSON and HTML all). */
export const TOP_PRINCIPALS = 5;
/** People named per rule in the report (the table shows the first, JSON and HTML all). */
export const TOP_PEOPLE = 5;
/** A window up to this long lists every day, quiet ones too; a longer one only the days with alerts. */
export const MAX_LISTED_DAYS = 366;
const DAY_MS = 86_400_000;

export interface BacktestObject {
  /** `s3://bucket/key` or a path. */
  readonly name: string;
  readonly input: Input;
  readonly size: number;
  /** When the key or file name says the file was delivered (epoch ms), for ordering. */
  readonly deliveredAt: number;
}

export interface BacktestProgress {
  readonly objectsDone: number;
  /** Objects listed so far: the days are listed as the reading reaches them. */
  readonly objectsListed: number;
  /** Days listed so far, and in the whole window. */
  readonly daysListed: number;
  readonly daysTotal: number;
  readonly bytesDone: number;
  readonly records: number;
  readonly alerts: number;
}

export interface RuleReport {
  readonly id: string;
  readonly title: string;
  readonly level: Level;
  readonly kind: 'detection' | 'correlation';
  /** Every alert the rule raised, as a scan prints them. */
  alerts: number;
  /** What would have been notified: the alerts left after dedup and suppressions. */
  afterDedup: number;
  deduplicated: number;
  suppressed: number;
  readonly perDay: Record<string, { alerts: number; afterDedup: number }>;
  topPrincipals: { principal: string; alerts: number }[];
  /**
   * Who raised the rule's alerts, most first: the person's name when attribution named one
   * (`known: true`), else the principal ARN as the record has it (`known: false`).
   */
  topPeople: TopPerson[];
}

export interface TopPerson {
  /** The person's name, or the principal when the person is unknown. */
  readonly name: string;
  readonly known: boolean;
  readonly alerts: number;
}

export interface BacktestReport {
  readonly source: string;
  readonly since: string;
  readonly until: string;
  readonly accounts: readonly string[] | null;
  readonly regions: readonly string[] | null;
  readonly objects: { listed: number; read: number; skipped: number; bytes: number };
  readonly records: number;
  readonly alerts: number;
  readonly afterDedup: number;
  readonly days: readonly string[];
  readonly rules: readonly RuleReport[];
  readonly problems: readonly string[];
  readonly problemCount: number;
  readonly ruleErrors: number;
}

export interface BacktestOptions {
  readonly source: BacktestSource;
  /** The window and the layout narrowing; `since` and `until` are required for a backtest. */
  readonly filter: LayoutFilter & { readonly since: number; readonly until: number };
  readonly rules: RuleSet;
  readonly config: TrailwatchConfig;
  readonly s3?: S3Settings;
  /** Records larger than this are reported and skipped (the readers' default otherwise). */
  readonly maxRecordBytes?: number;
  readonly concurrency?: number;
  readonly onProgress?: (progress: BacktestProgress) => void;
  /** Attribution: with it, alerts carry their person and the report counts top people by name. */
  readonly actors?: ActorSource;
  /**
   * Builds the first-seen rules' baseline: every combination in the history is remembered in this
   * store (the state table the live pipeline reads) and those rules raise nothing in the run.
   * Dedup, correlation and delivery state stay in memory, so the live table gets only the baseline.
   */
  readonly baseline?: StateStore;
}

/** One delivery day of objects to read, sorted by delivery time. */
export interface BacktestDay {
  readonly day: string | undefined;
  readonly index: number;
  readonly total: number;
  readonly objects: readonly BacktestObject[];
}

/**
 * A source that could not be listed (a missing bucket, denied access, an unreadable folder): where
 * the listing was, and the AWS or file-system error as `cause`. The backtest reports it as a
 * located problem and ends the listing there, rather than failing as an unexpected error.
 */
export class BacktestListingError extends TrailwatchError {
  override readonly name = 'BacktestListingError';
  constructor(
    /** `s3://bucket/prefix` as asked, or the folder's path: the error's location (`file`). */
    readonly listing: string,
    cause: unknown,
  ) {
    super(`${listing}: cannot list: ${describeError(cause)}`, 'listing', {
      location: { file: listing },
      cause,
      retryable: classifyReadError(cause) === 'transient',
      locationInMessage: true,
    });
  }
}

/** The listing's items, its failures located at `location`. */
async function* listingAt<Item>(location: string, listing: AsyncIterable<Item>): AsyncGenerator<Item> {
  try {
    yield* listing;
  } catch (error) {
    throw new BacktestListingError(location, error);
  }
}

/** One entry of a top list: who (a person's name, or a principal ARN) and how many alerts. */
interface Ranked {
  readonly name: string;
  /** A person attribution named; a principal (in either list) is not. */
  readonly known: boolean;
  readonly alerts: number;
}

/**
 * The one order of both top lists, so the table's TOP PERSON and TOP PRINCIPAL, the JSON and the
 * HTML agree and no run depends on reading order: most alerts first; equal counts by the shown
 * name in UTF-16 code-unit order (`<`, as `sort()` does: `B` before `a`); a named person before
 * an unknown principal that reads the same.
 */
export function rankTop(a: Ranked, b: Ranked): number {
  return (
    b.alerts - a.alerts ||
    (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) ||
    Number(b.known) - Number(a.known)
  );
}

function byDeliveryTime(a: BacktestObject, b: BacktestObject): number {
  return a.deliveredAt - b.deliveredAt || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

/**
 * The objects a backtest reads, a delivery day at a time. Listing uses the trail's key layout
 * (only the asked days, accounts and regions), and only one day's keys are held at once, so a
 * quarter of an organization's history costs no more memory than a day of it. Within a day,
 * sorting by delivery time across accounts and regions lets dedup windows and correlations see
 * events in roughly the order the live pipeline did.
 */
export async function* planBacktest(
  source: BacktestSource,
  filter: LayoutFilter,
  s3: S3Settings = {},
  concurrency: number = DEFAULT_BACKTEST_CONCURRENCY,
): AsyncGenerator<BacktestDay> {
  if (source.kind === 'records') {
    const input: Input = { kind: 'payload', name: source.name, value: source.records };
    yield {
      day: undefined,
      index: 0,
      total: 1,
      objects: [{ name: source.name, input, size: 0, deliveredAt: 0 }],
    };
    return;
  }
  if (source.kind === 's3') {
    const client = await createS3Client(s3);
    const { bucket, prefix } = source;
    const days = listLogObjectsByDay(client, bucket, prefix, filter, concurrency);
    for await (const group of listingAt(`s3://${bucket}/${prefix}`, days)) {
      const objects = group.objects.map((object) => ({
        name: `s3://${bucket}/${object.key}`,
        input: { kind: 's3-object' as const, bucket, key: object.key, size: object.size },
        size: object.size,
        deliveredAt: parseLogFileKey(object.key)?.deliveredAt ?? 0,
      }));
      yield { day: group.day, index: group.index, total: group.total, objects: objects.sort(byDeliveryTime) };
    }
    return;
  }
  // A local folder is small enough to hold whole; it is grouped the same way.
  const byDay = new Map<string, BacktestObject[]>();
  for await (const entry of filesUnder(source.path)) {
    if (entry.kind === 'unreadable') throw new BacktestListingError(entry.path, entry.error);
    const { path } = entry;
    const logFile = parseLogFileKey(path);
    if (!keyMayMatch(logFile, filter)) continue;
    const { size } = await stat(path);
    const deliveredAt = logFile?.deliveredAt ?? 0;
    const day = logFile?.deliveredAt === undefined ? '' : isoDay(deliveredAt);
    const objects = byDay.get(day) ?? [];
    objects.push({ name: path, input: { kind: 'path', path }, size, deliveredAt });
    byDay.set(day, objects);
  }
  const days = [...byDay.keys()].sort();
  for (const [index, day] of days.entries()) {
    const objects = (byDay.get(day) ?? []).sort(byDeliveryTime);
    yield { day: day === '' ? undefined : day, index, total: days.length, objects };
  }
}

interface RuleTally extends RuleReport {
  readonly principals: Map<string, number>;
  /** Keyed by `known` then name, so a person called like an ARN never merges with that principal. */
  readonly people: Map<string, { name: string; known: boolean; alerts: number }>;
}

/** Who an alert is counted against in the report: the person when known, else its principal. */
function personOf(alert: Alert, principal: string): { name: string; known: boolean } {
  const actor = alert.actor;
  if (actor && isKnownPerson(actor) && actor.person.name !== null)
    return { name: actor.person.name, known: true };
  return { name: principal, known: false };
}

/**
 * Replays history through the rules and the alerting exactly as the live pipeline runs them (the
 * same correlations, suppressions and dedup, windowed on event time) without notifying anyone,
 * and counts what each rule would have raised and sent.
 */
export async function runBacktest(options: BacktestOptions): Promise<BacktestReport> {
  const { filter, rules, config } = options;
  const s3 = options.source.kind === 's3' ? { ...options.s3, client: await createS3Client(options.s3) } : {};
  const concurrency = options.concurrency ?? DEFAULT_BACKTEST_CONCURRENCY;
  const engine = new RuleEngine(rules.detections);
  let replayClock = filter.since;
  const pipeline = new AlertPipeline({
    config,
    rules,
    state: new MemoryStateStore(),
    destinations: new Map(),
    now: () => replayClock,
    ...(options.baseline === undefined ? {} : { firstSeen: { state: options.baseline, learnOnly: true } }),
  });
  const tallies = new Map<string, RuleTally>();
  for (const rule of [...rules.detections, ...rules.correlations]) {
    tallies.set(rule.meta.id, {
      id: rule.meta.id,
      title: rule.meta.title,
      level: rule.meta.level,
      kind: rule.kind,
      alerts: 0,
      afterDedup: 0,
      deduplicated: 0,
      suppressed: 0,
      perDay: {},
      topPrincipals: [],
      principals: new Map(),
      topPeople: [],
      people: new Map(),
    });
  }
  const stats = emptyTally();
  const problems: string[] = [];
  const days = new Set<string>(windowDays(filter.since, filter.until));
  const totals = { read: 0, skipped: 0, bytes: 0, alerts: 0, afterDedup: 0 };
  const listing = { objects: 0, days: 0, daysTotal: 0 };
  const objectOf = new Map<Input, BacktestObject>();
  const wholeSourceSkipped = new Set<BacktestObject>();

  const source = options.source;
  let listingProblems = 0;
  async function* inputsInOrder(): AsyncGenerator<Input> {
    try {
      for await (const day of planBacktest(source, filter, s3, concurrency)) {
        listing.objects += day.objects.length;
        listing.days = day.index + 1;
        listing.daysTotal = day.total;
        for (const object of day.objects) {
          objectOf.set(object.input, object);
          yield object.input;
        }
      }
    } catch (error) {
      // What was listed is read and reported; the rest of the window cannot be listed.
      if (!(error instanceof BacktestListingError)) throw error;
      listingProblems++;
      listProblem(error.message);
    }
  }

  const listProblem = (text: string): void => {
    if (problems.length < MAX_LISTED_PROBLEMS) problems.push(text);
  };
  const onEvent = (event: DriverEvent): void => {
    switch (event.kind) {
      case 'alert': {
        const { alert, outcome } = event;
        const tally = tallies.get(alert.rule.id);
        if (!tally) return;
        const time = Date.parse(alert.correlation?.lastEventTime ?? alert.facts.eventTime);
        const day = Number.isNaN(time) ? 'unknown' : isoDay(time);
        days.add(day);
        const perDay = tally.perDay[day] ?? { alerts: 0, afterDedup: 0 };
        tally.perDay[day] = perDay;
        tally.alerts++;
        perDay.alerts++;
        totals.alerts++;
        const principal = alert.facts.principalArn ?? alert.facts.principalType ?? 'unknown';
        tally.principals.set(principal, (tally.principals.get(principal) ?? 0) + 1);
        const person = personOf(alert, principal);
        const personKey = `${person.known ? 'person' : 'principal'}\u0000${person.name}`;
        const counted = tally.people.get(personKey) ?? { ...person, alerts: 0 };
        counted.alerts++;
        tally.people.set(personKey, counted);
        if (outcome?.status === 'suppressed') tally.suppressed++;
        else if (outcome?.status === 'deduplicated') tally.deduplicated++;
        else {
          tally.afterDedup++;
          perDay.afterDedup++;
          totals.afterDedup++;
        }
        return;
      }
      case 'problem':
        listProblem(`${formatOrigin(event.origin)}: ${event.message}`);
        return;
      case 'rule-error':
        listProblem(`${formatOrigin(event.origin)}: ${describeRuleError(event)}`);
        return;
      case 'poison':
        listProblem(
          `${formatOrigin(event.origin)}: event ${event.eventID ?? '(no eventID)'}: ${event.message}`,
        );
        return;
      case 'skipped': {
        const object = [...objectOf.values()].find((candidate) => isWholeSource(event.origin, candidate));
        if (object) wholeSourceSkipped.add(object);
        return;
      }
      case 'input-done': {
        const object = objectOf.get(event.input);
        if (!object) return;
        objectOf.delete(event.input);
        if (wholeSourceSkipped.delete(object)) totals.skipped++;
        else totals.read++;
        totals.bytes += object.size;
        options.onProgress?.({
          objectsDone: totals.read + totals.skipped,
          objectsListed: listing.objects,
          daysListed: listing.days,
          daysTotal: listing.daysTotal,
          bytesDone: totals.bytes,
          records: recordsRead(stats),
          alerts: totals.alerts,
        });
        return;
      }
    }
  };

  await drive(inputsInOrder(), {
    tally: stats,
    // One pass in delivery order: a session start is learned before the calls delivered after it.
    actors: new ActorResolver(new MemorySessionStore()),
    engine,
    pipeline,
    read: {
      filter,
      s3,
      ...(options.maxRecordBytes === undefined ? {} : { maxRecordBytes: options.maxRecordBytes }),
    },
    handleAlerts: true,
    concurrency,
    ...(options.actors === undefined ? {} : { actors: options.actors }),
    // Suppressions expire by the clock: in a replay, the clock is the time of the event at hand.
    beforeHandle: (alert) => {
      const time = Date.parse(alert.correlation?.lastEventTime ?? alert.facts.eventTime);
      if (!Number.isNaN(time)) replayClock = time;
    },
    onEvent,
  });

  const reports = [...tallies.values()].map(({ principals, people, ...report }) => ({
    ...report,
    topPeople: [...people.values()].sort(rankTop).slice(0, TOP_PEOPLE),
    topPrincipals: [...principals.entries()]
      .map(([principal, alerts]) => ({ name: principal, known: false, alerts }))
      .sort(rankTop)
      .slice(0, TOP_PRINCIPALS)
      .map(({ name, alerts }) => ({ principal: name, alerts })),
  }));
  reports.sort((a, b) => b.alerts - a.alerts || (a.title < b.title ? -1 : 1));
  return {
    source:
      options.source.kind === 's3'
        ? `s3://${options.source.bucket}/${options.source.prefix}`
        : options.source.kind === 'records'
          ? options.source.name
          : options.source.path,
    since: new Date(filter.since).toISOString(),
    until: new Date(filter.until).toISOString(),
    accounts: filter.accounts ? [...filter.accounts] : null,
    regions: filter.regions ? [...filter.regions] : null,
    objects: { listed: listing.objects, read: totals.read, skipped: totals.skipped, bytes: totals.bytes },
    records: recordsRead(stats),
    alerts: totals.alerts,
    afterDedup: totals.afterDedup,
    days: [...days].sort(),
    rules: reports,
    problems,
    problemCount: listingProblems + stats.problems + stats.ruleErrors + stats.poisonRecords,
    ruleErrors: stats.ruleErrors,
  };
}

/** Whether the report lists every day of the window, quiet ones too, or only the days with alerts. */
export function listsEveryDay(since: number, until: number): boolean {
  return (until - Date.parse(isoDay(since))) / DAY_MS <= MAX_LISTED_DAYS;
}

/**
 * The days a report lists before any alert. An `until` on midnight (`--until 2026-10-08T00:00Z`)
 * covers one instant of its day: that day is listed only if an alert falls on it, so the charts
 * do not end on an empty day the window hardly touches.
 */
function windowDays(since: number, until: number): string[] {
  if (!listsEveryDay(since, until)) return [];
  return utcDays(since, until > since && until % DAY_MS === 0 ? until - 1 : until);
}

/** A skip of the object itself (a digest file, an empty object), not of something inside it. */
function isWholeSource(origin: Origin, object: BacktestObject): boolean {
  return origin.source === object.name && origin.index === undefined && origin.pointer === undefined;
}
