import { writeFileSync } from 'node:fs';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import type { AccountNames } from '../accounts';
import { accountNamesFor, labelAuditAccounts, withAccountNames } from '../accounts';
import { ActorResolver, MemorySessionStore } from '../actor';
import type { AuditInputsResult, AuditReport } from '../audit';
import {
  auditInputs,
  followPerson,
  MAX_FOLLOWED_HOPS,
  MAX_FOLLOWED_SESSIONS,
  PersonQuery,
  renderAuditHtml,
  renderAuditTable,
} from '../audit';
import { resolveRegion } from '../aws';
import { describeThrown } from '../driver';
import type { Input } from '../ingest';
import { AlertPipeline } from '../pipeline';
import { RuleEngine } from '../rules';
import { MemoryStateStore } from '../state';
import type { PacingOptions } from '../trail';
import { PacedCloudTrail, TrailError } from '../trail';
import * as z from '../validation';
import { parseInputs } from './cat';
import type { CliIo } from './io';
import { EXIT_INPUT_FAILED, EXIT_OK, LineWriter, UsageError, writeDiagnostic } from './io';
import { lookupQuery } from './lookup';
import {
  outputFlag,
  readFlagsShape,
  toLayoutFilter,
  toRecordLimits,
  toS3Settings,
  windowInOrder,
} from './options';
import { reportDiagnostic } from './report';
import { loadCommandRules, ruleFlagsShape } from './rule-options';

export const AUDIT_FORMATS = ['table', 'json'] as const;

/** `trailwatch audit`'s flags, checked and typed at the edge: --since/--until in both modes. */
export function auditFlags(now: number) {
  return z
    .object({
      ...readFlagsShape(now),
      ...ruleFlagsShape,
      who: z.optional(
        z
          .string()
          .check(
            z.trim(),
            z.minLength(
              1,
              'NAME is required: a user name, email, ARN, source identity or Identity Center user',
            ),
          ),
      ),
      output: outputFlag(AUDIT_FORMATS, 'table'),
      html: z.optional(z.string()),
      lookup: z.optional(z.boolean()),
    })
    .check(z.superRefine(windowInOrder));
}
export type AuditCliOptions = z.output<ReturnType<typeof auditFlags>>;

export interface AuditServices {
  readonly pacing?: PacingOptions;
  readonly now?: () => number;
}

/**
 * `trailwatch audit`: what one person did. From files, folders, S3 or standard input (read twice:
 * sessions first, then every record), or with `--lookup` from Event history. Exit 0 when the
 * person was found and every input read, 1 when nothing matched or an input failed, 2 for usage.
 */
export async function runAudit(
  args: readonly string[],
  options: AuditCliOptions,
  io: CliIo,
  services: AuditServices = {},
): Promise<number> {
  const format = options.output;
  const who = options.who ?? '';
  if (who === '') {
    throw new UsageError(
      '--who NAME is required: a user name, email, ARN, source identity or Identity Center user',
    );
  }
  const query = new PersonQuery(who);
  const now = (services.now ?? Date.now)();
  if (options.lookup) refuseFileOptions(args, options);

  const { config, set } = loadCommandRules(options, io, 'evaluate');
  const pipeline = new AlertPipeline({
    config,
    rules: set,
    state: new MemoryStateStore(),
    destinations: new Map(),
  });
  const actors = new ActorResolver(new MemorySessionStore());
  const common = {
    query,
    actors,
    engine: new RuleEngine(set.detections),
    pipeline,
    onDiagnostic: (event: Parameters<typeof reportDiagnostic>[0]) => reportDiagnostic(event, io, false),
  };

  let result: AuditInputsResult;
  let source: string;
  if (options.lookup) {
    const followed = await lookUp(options, who, now, io, services);
    if (followed === undefined) return EXIT_INPUT_FAILED;
    result = await auditInputs([followed.input], { ...common, read: {} });
    source = `${followed.events} event(s) from ${followed.calls} LookupEvents call(s) in ${followed.region}, ${followed.followedKeys.length} session(s) followed by access key`;
    if (followed.unfollowedKeys.length > 0) {
      writeDiagnostic(
        io,
        `trailwatch: warning: ${followed.unfollowedKeys.length} session(s) not followed (past ${MAX_FOLLOWED_HOPS} role hops or ${MAX_FOLLOWED_SESSIONS} sessions): ${followed.unfollowedKeys.slice(0, 5).join(', ')}${followed.unfollowedKeys.length > 5 ? ', …' : ''}`,
      );
    }
  } else {
    const inputs = parseInputs(args);
    const stdin = await replayableStdin(inputs, io);
    result = await auditInputs(inputs, {
      ...common,
      read: {
        filter: toLayoutFilter(options),
        s3: toS3Settings(options),
        stdin,
        ...toRecordLimits(options),
      },
    });
    const { tally } = result;
    source = `${tally.evaluated} record(s) read (inputs read twice: ${result.sessionStarts} session start(s) learned first)`;
  }

  // Names next to account ids (trailwatch.yml `accounts:`, or Organizations): JSON gets them as
  // `accountNames`, the table and the HTML page show `111122223333 (prod)`.
  const accounts = accountNamesFor(config.accounts, (message) =>
    writeDiagnostic(io, `trailwatch: ${message}`),
  );
  await accounts.ready();
  await printReport(withAccountNames(result.report, accounts), format, io, accounts);
  if (options.html !== undefined && !writeHtml(options.html, labelAuditAccounts(result.report, accounts), io))
    return EXIT_INPUT_FAILED;
  const { report, tally } = result;
  writeDiagnostic(
    io,
    `trailwatch: audit of ${who}: ${source}; ${report.summary.sessions} session(s), ${report.summary.actions} action(s)${report.unattributed.sessions > 0 ? `; ${report.unattributed.sessions} session(s) of the same roles have no known person` : ''}${tally.problems > 0 ? `, ${tally.problems} input problem(s)` : ''}`,
  );
  const failed =
    tally.problems > 0 || tally.ruleErrors > 0 || tally.poisonRecords > 0 || set.errors.length > 0;
  return report.sessions.length > 0 && !failed ? EXIT_OK : EXIT_INPUT_FAILED;
}

function refuseFileOptions(args: readonly string[], options: AuditCliOptions): void {
  if (args.length > 0) {
    throw new UsageError(`--lookup reads Event history: it takes no inputs (got ${args.join(' ')})`);
  }
  if (options.account !== undefined && options.account.length > 0) {
    throw new UsageError(
      '--account filters files; with --lookup, Event history is that of the credentials’ account',
    );
  }
  if (options.recordRegion !== undefined && options.recordRegion.length > 0) {
    throw new UsageError(
      '--record-region filters files; with --lookup, name the region whose Event history to read with --region',
    );
  }
}

async function lookUp(
  options: AuditCliOptions,
  who: string,
  now: number,
  io: CliIo,
  services: AuditServices,
) {
  // The same checks as `trailwatch lookup`: Event history keeps 90 days.
  // The window was read at the edge; lookupQuery reads it again, exactly, from its ISO form.
  const window = lookupQuery(
    {
      ...(options.since === undefined ? {} : { startTime: new Date(options.since).toISOString() }),
      ...(options.until === undefined ? {} : { endTime: new Date(options.until).toISOString() }),
    },
    now,
    (text) => writeDiagnostic(io, `trailwatch: note: ${text}`),
  );
  const region = resolveRegion(options.region);
  const client = new CloudTrailClient({
    region,
    ...(options.endpointUrl === undefined ? {} : { endpoint: options.endpointUrl }),
  });
  try {
    const followed = await followPerson(new PacedCloudTrail(client, services.pacing), who, {
      ...(window.startTime === undefined ? {} : { startTime: window.startTime }),
      ...(window.endTime === undefined ? {} : { endTime: window.endTime }),
    });
    return { ...followed, region };
  } catch (error) {
    if (error instanceof TrailError) {
      writeDiagnostic(io, `trailwatch: error: ${error.message}`);
      return undefined;
    }
    throw error;
  } finally {
    client.destroy();
  }
}

/**
 * Standard input can be read once: it is buffered so both passes read the same bytes. The audit of
 * a pipe holds it in memory; files and S3 are read from their source each pass.
 */
async function replayableStdin(
  inputs: readonly Input[],
  io: CliIo,
): Promise<AsyncIterable<Buffer | Uint8Array | string>> {
  if (!inputs.some((input) => input.kind === 'stdin')) return io.stdin;
  const chunks: (Buffer | Uint8Array | string)[] = [];
  for await (const chunk of io.stdin) chunks.push(chunk);
  return {
    async *[Symbol.asyncIterator]() {
      yield* chunks;
    },
  };
}

async function printReport(
  report: AuditReport,
  format: string,
  io: CliIo,
  accounts: AccountNames,
): Promise<void> {
  const out = new LineWriter(io.stdout);
  if (format === 'json') await out.line(JSON.stringify(report, null, 2));
  else for (const line of renderAuditTable(labelAuditAccounts(report, accounts))) await out.line(line);
  await out.flush();
}

function writeHtml(file: string, report: AuditReport, io: CliIo): boolean {
  try {
    writeFileSync(file, renderAuditHtml(report));
    return true;
  } catch (error) {
    writeDiagnostic(io, `trailwatch: error: cannot write ${file}: ${describeThrown(error)}`);
    return false;
  }
}
