/**
 * What the equivalence tests of the SQL dialects share (test/sql, test/athena): the example
 * configuration's placeholders, the fixture records, and every rule's inline test events. Each test
 * runs the same rules through the JavaScript engine and its dialect over these records.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { readRecords } from '../../lib/ingest';
import type { CloudTrailRecord } from '../../lib/records';
import type { Placeholders, RuleSet } from '../../lib/rules';
import { FIXTURES } from './fixtures';

const ROOT = join(import.meta.dirname, '..', '..');

/** The example configuration's placeholders, so rules using `|expand` compile with values. */
export function examplePlaceholders(): Placeholders {
  const config = parse(readFileSync(join(ROOT, 'examples', 'trailwatch.yml'), 'utf8')) as {
    placeholders?: Record<string, string[] | null>;
  };
  return Object.fromEntries(
    Object.entries(config.placeholders ?? {}).map(([name, values]) => [name, values ?? []]),
  );
}

/** Every record the readers find in the fixture logs and JSON Lines, and in `extra` paths. */
export async function everyFixtureRecord(extra: readonly string[] = []): Promise<CloudTrailRecord[]> {
  const inputs = [...['logs', 'jsonl'].map((folder) => join(FIXTURES, folder)), ...extra].map((path) => ({
    kind: 'path' as const,
    path,
  }));
  const records: CloudTrailRecord[] = [];
  for await (const result of readRecords(inputs)) if (result.kind === 'record') records.push(result.record);
  return records;
}

/** Every inline test event of the set's detection rules, positive and negative. */
export function inlineEvents(set: RuleSet): CloudTrailRecord[] {
  return set.detections.flatMap((rule) =>
    rule.tests.flatMap((test) =>
      test.event === undefined ? [] : [test.event as unknown as CloudTrailRecord],
    ),
  );
}
