import type { Event } from '@aws-sdk/client-cloudtrail';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { ActorResolver, MemorySessionStore } from '../actor';
import { resolveRegion } from '../aws';
import { drive } from '../driver';
import type { LookupQuery } from '../history';
import {
  cliEvent,
  DEFAULT_LOOKUP_ITEMS,
  decodeResumeToken,
  EVENT_HISTORY_DAYS,
  LookupQueryError,
  lookupEvents,
  MAX_RESULTS_PER_CALL,
  parseLookupAttributes,
  RepeatedNextTokenError,
  StartingTokenError,
} from '../history';
import { AlertPipeline } from '../pipeline';
import { RuleEngine } from '../rules';
import type { Finding } from '../scan';
import { toFinding } from '../scan';
import { MemoryStateStore } from '../state';
import { isoDay } from '../time';
import type { PacingOptions } from '../trail';
import { PacedCloudTrail, TrailError } from '../trail';
import { lookupEventsText } from './aws-text';
import type { CliIo } from './io';
import { EXIT_INPUT_FAILED, EXIT_OK, LineWriter, UsageError, writeDiagnostic } from './io';
import { timeOption, wholeNumberOption } from './options';
import { reportDiagnostic } from './report';
import { loadCommandRules } from './rule-options';
import { renderTable } from './scan';
import type { Column, TableOptions } from './table';
import { renderColumns, terminalWidth } from './table';

/** `table` (trailwatch's), and the AWS CLI's own `json` and `text` (see `awsCliText`). */
export const LOOKUP_OUTPUTS = ['table', 'json', 'text'] as const;
const DAY_MS = 86_400_000;

export interface LookupCliOptions {
  readonly maxResults?: string;
  readonly maxItems?: string;
  readonly all?: boolean;
  readonly startingToken?: string;
  readonly startTime?: string;
  readonly endTime?: string;
  readonly lookupAttributes?: readonly string[];
  readonly eventCategory?: string;
  readonly region?: string;
  readonly endpointUrl?: string;
  readonly output?: string;
  /** `--rules` alone is true (the shipped pack and trailwatch.yml); with a value, those paths. */
  readonly rules?: boolean | string;
  readonly config?: string;
}

/** Turns the options into a query, refusing what LookupEvents would refuse before any call is made. */
export function lookupQuery(
  options: LookupCliOptions,
  now: number,
  warn: (text: string) => void,
): LookupQuery {
  if (options.all && options.maxItems !== undefined)
    throw new UsageError('--all and --max-items exclude each other');
  const maxResults =
    options.maxResults === undefined
      ? undefined
      : wholeNumberOption('--max-results', options.maxResults, MAX_RESULTS_PER_CALL);
  const maxItems =
    options.maxItems === undefined ? undefined : wholeNumberOption('--max-items', options.maxItems);
  const startTime = timeOption('--start-time', options.startTime, now);
  const endTime = timeOption('--end-time', options.endTime, now);
  if (startTime !== undefined && endTime !== undefined && startTime > endTime) {
    throw new UsageError('--start-time is after --end-time');
  }
  const kept = now - EVENT_HISTORY_DAYS * DAY_MS;
  const backtestHint = (since: number, until: number | undefined): string =>
    `trailwatch backtest s3://BUCKET/PREFIX --since ${isoDay(since)}${until === undefined ? '' : ` --until ${isoDay(until)}`}`;
  if (endTime !== undefined && endTime < kept) {
    throw new UsageError(
      `Event history keeps ${EVENT_HISTORY_DAYS} days (since ${isoDay(kept)}): events up to ${isoDay(endTime)} are only in the trail's S3 history. Read them with: ${backtestHint(startTime ?? endTime - DAY_MS, endTime)}`,
    );
  }
  if (startTime !== undefined && startTime < kept) {
    warn(
      `Event history keeps ${EVENT_HISTORY_DAYS} days: events before ${isoDay(kept)} are not returned. For them read the trail's S3 history: ${backtestHint(startTime, kept)}`,
    );
  }
  if (options.eventCategory !== undefined && options.eventCategory !== 'insight') {
    throw new UsageError(
      `--event-category takes insight (the only category LookupEvents filters on); got ${options.eventCategory}`,
    );
  }
  let attribute: ReturnType<typeof parseLookupAttributes>;
  try {
    attribute = parseLookupAttributes(options.lookupAttributes ?? []);
  } catch (error) {
    if (error instanceof LookupQueryError) throw new UsageError(error.message);
    throw error;
  }
  // The page size the AWS CLI uses without --page-size is LookupEvents' default, 50: using the
  // same one makes a token's boto_truncate_amount count the same events in both tools.
  const pageSize = maxResults ?? MAX_RESULTS_PER_CALL;
  return {
    pageSize,
    // Without --max-items or --all: as `aws cloudtrail lookup-events --max-items 10` (or one page
    // of --max-results), so the token printed resumes in either tool.
    ...(options.all ? {} : { maxItems: maxItems ?? maxResults ?? DEFAULT_LOOKUP_ITEMS }),
    ...(attribute === undefined ? {} : { attribute }),
    ...(startTime === undefined ? {} : { startTime }),
    ...(endTime === undefined ? {} : { endTime }),
    ...(options.eventCategory === 'insight' ? { insight: true } : {}),
    ...(options.startingToken === undefined ? {} : { resume: startingToken(options.startingToken) }),
  };
}

/** `--starting-token`, read before any call so a token that cannot resume is a usage error. */
function startingToken(text: string) {
  try {
    return decodeResumeToken(text);
  } catch (error) {
    if (error instanceof StartingTokenError) {
      throw new UsageError(
        `--starting-token: ${error.message}. Pass the NextToken an earlier run (or the AWS CLI) printed, as printed.`,
      );
    }
    throw error;
  }
}

export interface LookupServices {
  readonly pacing?: PacingOptions;
  readonly now?: () => number;
}

/** `trailwatch lookup`: `aws cloudtrail lookup-events`, with the rules applied on request. */
export async function runLookup(
  options: LookupCliOptions,
  io: CliIo,
  services: LookupServices = {},
): Promise<number> {
  const output = options.output ?? 'table';
  if (!LOOKUP_OUTPUTS.includes(output as (typeof LOOKUP_OUTPUTS)[number])) {
    throw new UsageError(`--output takes ${LOOKUP_OUTPUTS.join(', ')}; got ${output}`);
  }
  const now = (services.now ?? Date.now)();
  const query = lookupQuery(options, now, (text) => writeDiagnostic(io, `trailwatch: note: ${text}`));
  const rules = options.rules === undefined ? undefined : prepareRules(options, io);

  const region = resolveRegion(options.region);
  const client = new CloudTrailClient({
    region,
    ...(options.endpointUrl === undefined ? {} : { endpoint: options.endpointUrl }),
  });
  let result: Awaited<ReturnType<typeof lookupEvents>>;
  try {
    result = await lookupEvents(new PacedCloudTrail(client, services.pacing), query);
  } catch (error) {
    if (error instanceof TrailError || error instanceof RepeatedNextTokenError) {
      writeDiagnostic(io, `trailwatch: error: ${error.message}`);
      return EXIT_INPUT_FAILED;
    }
    throw error;
  } finally {
    client.destroy();
  }

  const printed = result.events.map(cliEvent);
  const evaluated = rules ? await evaluate(printed, rules, io) : undefined;
  const out = new LineWriter(io.stdout);
  if (output === 'json') {
    const body: Record<string, unknown> = { Events: printed };
    if (result.nextToken !== undefined) body.NextToken = result.nextToken;
    if (evaluated) body.Findings = evaluated.findings;
    await out.line(JSON.stringify(body, null, 4));
  } else if (output === 'text') {
    for (const line of lookupEventsText(printed, result.pages, result.nextToken, evaluated?.findings))
      await out.line(line);
  } else {
    const table = { width: terminalWidth(io.stdout) };
    for (const line of renderEvents(result.events, table)) await out.line(line);
    if (evaluated) {
      await out.line('');
      for (const line of renderTable(evaluated.findings, table)) await out.line(line);
    }
  }
  await out.flush();
  io.stderr.write(
    `trailwatch: ${result.events.length} event(s) in ${region} from ${result.calls} LookupEvents call(s)${evaluated ? `, ${evaluated.findings.length} alert(s) from ${evaluated.rules} rule(s)` : ''}\n`,
  );
  if (result.nextToken !== undefined && output === 'table') {
    writeDiagnostic(io, `trailwatch: more events remain: add --starting-token ${result.nextToken}`);
  }
  return evaluated && evaluated.problems > 0 ? EXIT_INPUT_FAILED : EXIT_OK;
}

function prepareRules(options: LookupCliOptions, io: CliIo) {
  return loadCommandRules(
    {
      ...(options.config === undefined ? {} : { config: options.config }),
      ...(typeof options.rules === 'string' ? { rules: [options.rules] } : {}),
    },
    io,
    'evaluate',
  );
}

async function evaluate(
  events: readonly Record<string, unknown>[],
  { config, set }: ReturnType<typeof prepareRules>,
  io: CliIo,
): Promise<{ findings: Finding[]; rules: number; problems: number }> {
  const pipeline = new AlertPipeline({
    config,
    rules: set,
    state: new MemoryStateStore(),
    destinations: new Map(),
  });
  const findings: Finding[] = [];
  // The events go through the readers as the AWS CLI's output would, so a malformed CloudTrailEvent
  // is reported with its position like any other input.
  const input = { kind: 'payload' as const, name: 'LookupEvents', value: { Events: events } };
  const tally = await drive([input], {
    // Event history is one payload: its session starts are learned before any call is attributed.
    actors: new ActorResolver(new MemorySessionStore()),
    engine: new RuleEngine(set.detections),
    pipeline,
    handleAlerts: false,
    onEvent: (event) => {
      if (event.kind === 'alert') findings.push(toFinding(event.alert));
      else reportDiagnostic(event, io, false);
    },
  });
  return {
    findings,
    rules: set.detections.length,
    problems: tally.problems + tally.ruleErrors + tally.poisonRecords,
  };
}

const EVENT_COLUMNS: readonly Column<Event>[] = [
  ['TIME', (e) => (e.EventTime ? e.EventTime.toISOString().replace('.000Z', 'Z') : '-')],
  ['EVENT', (e) => `${(e.EventSource ?? '').replace('.amazonaws.com', '')}:${e.EventName ?? ''}`],
  // The user or session name is who acted: never cut.
  ['USER', (e) => e.Username ?? '-', (e) => e.Username],
  ['READ-ONLY', (e) => e.ReadOnly ?? '-'],
  ['ACCESS KEY', (e) => e.AccessKeyId ?? '-'],
  [
    'RESOURCES',
    (e) => (e.Resources ?? []).map((r) => r.ResourceName ?? r.ResourceType ?? '').join(', ') || '-',
  ],
];

export function renderEvents(events: readonly Event[], options: TableOptions = {}): string[] {
  return events.length === 0 ? ['no events'] : renderColumns(events, EVENT_COLUMNS, options);
}
