/**
 * The Athena dialect's SQL, checked where the dialects agree. No Trino runs here, so the SQL runs
 * in DuckDB over a table shaped like the stack's Glue table (the documented columns as STRUCT, LIST
 * and MAP columns, the JSON columns as text, the partition columns), filled from the fixture
 * records as the Hive JSON SerDe fills it (keys matched case-insensitively, objects in STRING
 * columns as JSON text, booleans as 'true'/'false'). Every shipped and SigmaHQ rule the dialect
 * compiles must match exactly the records the JavaScript engine matches; the rows are also read
 * back into records (lib/athena/records.ts) and must give the fields the table keeps.
 *
 * What this checks: the dialect's field mapping (struct paths, the resources array, JSON columns
 * walked key by key through arrays), Sigma's semantics as the compiler builds them over those
 * leaves, the scope and the row reader.
 * What it cannot check, and how the SQL is adapted to run:
 * - Trino functions DuckDB lacks or defines differently are DuckDB macros named trino_*, and the
 *   SQL's calls are renamed to them (json_extract, json_extract_scalar, json_format,
 *   json_array_length, regexp_like, regexp_extract, is_finite, from_iso8601_timestamp,
 *   cardinality); `transform` is DuckDB's list_transform; `ARRAY(JSON)` is DuckDB's `JSON[]`.
 *   The macros follow Trino's documented behaviour (json_extract NULL for a missing key,
 *   json_array_length NULL for a non-array), which DuckDB does not prove.
 * - Regular expressions run in RE2 here, not in Athena's Java-like engine: this checks that the
 *   rewrite (lib/athena/java-regex.ts) keeps RE2's meaning in RE2, not what Athena does with it
 *   (test/athena/java-regex.test.ts lists the rewrites and what Trino's documentation says).
 * - `lower()` is DuckDB's here and Java's in Athena.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOUDTRAIL_COLUMNS, columnName } from '../../lib/athena';
import { createAthenaDialect, PATH_COLUMN } from '../../lib/athena/dialect';
import { recordFromRow } from '../../lib/athena/records';
import type { CloudTrailRecord } from '../../lib/records';
import type { Placeholders, RuleSet } from '../../lib/rules';
import { loadRules } from '../../lib/rules';
import { compileHunt } from '../../lib/sql';
import { DATABASE, openTable, queryText, tableRow } from '../helpers/athena-duckdb';
import { SIGMA_FIXTURES } from '../helpers/fixtures';
import { everyFixtureRecord, examplePlaceholders, inlineEvents } from '../helpers/rule-equivalence';

const ROOT = join(import.meta.dirname, '..', '..');
const SIGMA = SIGMA_FIXTURES;

/** A record as the table keeps it: the documented columns only, under their JSON names. */
function asTableKeepsIt(record: CloudTrailRecord): Record<string, unknown> {
  const row = tableRow(record, 0);
  const text: Record<string, string | null> = {};
  for (const field of CLOUDTRAIL_COLUMNS) {
    const value = row[columnName(field)];
    const complex = field.type.kind === 'struct' || field.type.kind === 'array' || field.type.kind === 'map';
    text[columnName(field)] = value === null ? null : complex ? JSON.stringify(value) : String(value);
  }
  return recordFromRow(text, PATH_COLUMN).record;
}

/** Detections (one a rule) over what the fixtures hardly exercise: booleans, numbers, null, exists, CIDR, regex flags, field references, arrays. */
const CRAFTED: Readonly<Record<string, Record<string, unknown>>> = {
  'read-only-true': { readOnly: true },
  'read-only-false': { readOnly: false },
  'read-only-text': { readOnly: 'TRUE' },
  'max-results-gt': { 'requestParameters.maxResults|gt': 10 },
  'max-results-equals': { 'requestParameters.maxResults': 50 },
  'count-text-lt': { 'requestParameters.count|lt': 5 },
  'ip-cidr': { 'sourceIPAddress|cidr': '10.0.0.0/8' },
  'open-ingress': { 'requestParameters.ipPermissions.items.ipRanges.items.cidrIp|cidr': '0.0.0.0/0' },
  'regex-anchor': { 'eventName|re': '^Get.*Object$' },
  'regex-case': { 'eventName|re|i': '^getobj' },
  'regex-dollar-newline': { 'errorMessage|re': 'denied$' },
  'regex-dot-all': { 'errorMessage|re|s': 'line.two' },
  'regex-space': { 'requestParameters.name|re': 'a\\sb' },
  'regex-class-bracket': { 'requestParameters.name|re': '[[]x' },
  'error-exists': { 'errorCode|exists': true },
  'error-absent': { 'errorCode|exists': false },
  'error-null': { errorCode: null },
  'bucket-exists': { 'requestParameters.bucketName|exists': true },
  'bucket-null': { 'requestParameters.bucketName': null },
  'tag-key': { 'requestParameters.tags.key': 'env' },
  'resource-arn': { 'resources.ARN|endswith': ':bucket/x' },
  'issuer-is-user': {
    'userIdentity.sessionContext.sessionIssuer.userName|fieldref': 'userIdentity.userName',
  },
  'mfa-false': { 'userIdentity.sessionContext.attributes.mfaAuthenticated': 'false' },
  'tls-prefix': { 'tlsDetails.tlsVersion|startswith': 'TLSv1.' },
  'name-contains-all': { 'eventName|contains|all': ['Get', 'Object'] },
  'bucket-glob': { 'requestParameters.bucketName': 'logs-*-prod' },
  'bucket-escape': { 'requestParameters.bucketName': 'a%b_c' },
  'whole-parameters': { 'requestParameters|contains': '"bucketName":"logs' },
  'parameters-null': { requestParameters: null },
  'parameters-exists': { 'requestParameters|exists': true },
  'parameters-absent': { 'requestParameters|exists': false },
  'elements-null': { 'additionalEventData.list': null },
};

function craftedRecord(index: number, fields: Record<string, unknown>): CloudTrailRecord {
  return {
    eventVersion: '1.11',
    eventTime: `2026-03-0${1 + (index % 9)}T10:00:00Z`,
    eventSource: 's3.amazonaws.com',
    eventName: 'GetObject',
    awsRegion: 'eu-west-1',
    recipientAccountId: '111122223333',
    eventID: `crafted-${index}`,
    userIdentity: { type: 'IAMUser', userName: 'alice', arn: 'arn:aws:iam::111122223333:user/alice' },
    ...fields,
  } as unknown as CloudTrailRecord;
}

const CRAFTED_RECORDS: readonly CloudTrailRecord[] = [
  // A whole JSON column: null as CloudTrail writes it, empty, and lists holding null or not.
  { requestParameters: null, additionalEventData: { list: [null, 1] } },
  { requestParameters: [], additionalEventData: { list: [] } },
  { requestParameters: [null], additionalEventData: { list: [[1], 'x'] } },
  { requestParameters: {}, additionalEventData: { list: null } },
  {
    readOnly: true,
    sourceIPAddress: '10.1.2.3',
    requestParameters: { bucketName: 'logs-a-prod', maxResults: 50 },
  },
  {
    readOnly: false,
    sourceIPAddress: '10.01.2.3',
    requestParameters: { bucketName: null, maxResults: 5, count: ' 3 ' },
  },
  {
    sourceIPAddress: '192.168.0.1',
    eventName: 'getobjectacl',
    errorCode: 'AccessDenied',
    errorMessage: 'Access denied\n',
  },
  {
    eventName: 'GetBucketObject',
    errorMessage: 'line\ntwo',
    requestParameters: { name: 'a\u000bb', count: '1e3' },
  },
  { requestParameters: { name: 'a\tb', tags: [{ key: 'env', value: 'prod' }, { key: 'team' }] } },
  { requestParameters: { name: '[x', tags: [[{ key: 'nested' }]], bucketName: 'a%b_c' } },
  {
    resources: [
      { ARN: 'arn:aws:s3:::bucket/x', accountId: '1', type: 'AWS::S3::Object' },
      { type: 'AWS::S3::Bucket' },
    ],
  },
  {
    userIdentity: {
      type: 'AssumedRole',
      userName: 'deploy',
      sessionContext: { sessionIssuer: { userName: 'deploy' }, attributes: { mfaAuthenticated: 'false' } },
    },
    tlsDetails: { tlsVersion: 'TLSv1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256' },
  },
  {
    eventSource: 'ec2.amazonaws.com',
    eventName: 'AuthorizeSecurityGroupIngress',
    requestParameters: { ipPermissions: { items: [{ ipRanges: { items: [{ cidrIp: '0.0.0.0/0' }] } }] } },
  },
  { readOnly: 'TRUE', requestParameters: { bucketName: 'logs-b-dev', maxResults: 11.5 } },
].map((fields, index) => craftedRecord(index, fields as Record<string, unknown>));

function craftedRules(): { set: RuleSet; cleanup: () => void } {
  const folder = mkdtempSync(join(tmpdir(), 'trailwatch-athena-rules-'));
  for (const [name, selection] of Object.entries(CRAFTED)) {
    const rule = {
      title: `crafted ${name}`,
      id: `crafted-${name}`,
      level: 'low',
      logsource: { product: 'aws', service: 'cloudtrail' },
      detection: { selection, condition: 'selection' },
    };
    writeFileSync(join(folder, `${name}.yml`), JSON.stringify(rule));
  }
  return { set: loadRules([folder]), cleanup: () => rmSync(folder, { recursive: true, force: true }) };
}

interface Outcome {
  readonly compiled: number;
  readonly unsupported: readonly string[];
  readonly mismatches: readonly string[];
  readonly matches: number;
  readonly misread: readonly string[];
}

async function compare(
  set: RuleSet,
  records: readonly CloudTrailRecord[],
  placeholders: Placeholders,
): Promise<Outcome> {
  const compiled = compileHunt(set, createAthenaDialect({ database: DATABASE }), placeholders);
  const dialect = createAthenaDialect({ database: DATABASE });
  const byId = new Map(set.detections.map((rule) => [rule.meta.id, rule]));
  const { connection, close } = await openTable(records);
  const mismatches: string[] = [];
  const misread: string[] = [];
  let matches = 0;
  try {
    for (const ruleSql of compiled.rules) {
      const rule = byId.get(ruleSql.ruleId);
      if (rule === undefined) continue;
      const expected = records.flatMap((record, index) => (rule.match(record) ? [index] : []));
      const rows = await queryText(connection, dialect.matchQuery(ruleSql.where, {}));
      const actual = rows
        .map((row) => Number(String(row[PATH_COLUMN]).slice('rec:'.length)))
        .sort((a, b) => a - b);
      matches += expected.length;
      if (JSON.stringify(actual) !== JSON.stringify(expected))
        mismatches.push(
          `${rule.meta.title} (${rule.location.file}): JavaScript ${JSON.stringify(expected.slice(0, 10))}, Athena SQL ${JSON.stringify(actual.slice(0, 10))}\n  ${ruleSql.where.slice(0, 600)}`,
        );
      for (const row of rows.slice(0, 3)) {
        const index = Number(String(row[PATH_COLUMN]).slice('rec:'.length));
        const original = records[index];
        if (original === undefined) continue;
        const read = recordFromRow(row, PATH_COLUMN);
        if (JSON.stringify(read.record) !== JSON.stringify(asTableKeepsIt(original)))
          misread.push(
            `${rule.meta.title}: record ${index} read back as ${JSON.stringify(read.record).slice(0, 300)}`,
          );
      }
    }
  } finally {
    close();
  }
  return {
    compiled: compiled.rules.length,
    unsupported: compiled.unsupported.map((u) => `${u.title}: ${u.reason}`),
    mismatches,
    matches,
    misread,
  };
}

function report(name: string, set: RuleSet, outcome: Outcome, records: number): void {
  console.info(
    `${name} (Athena dialect): ${outcome.compiled} of ${set.detections.length} detection rule(s) compile, ${outcome.unsupported.length} unsupported (correlations included); ${records} records, ${outcome.matches} matches, ${outcome.mismatches.length} mismatch(es)`,
  );
  for (const line of outcome.unsupported) console.info(`  unsupported: ${line}`);
  for (const line of outcome.mismatches) console.info(`  MISMATCH: ${line}`);
  for (const line of outcome.misread) console.info(`  MISREAD: ${line}`);
}

let fixtures: CloudTrailRecord[] = [];
beforeAll(async () => {
  fixtures = await everyFixtureRecord();
});
afterAll(() => {
  fixtures = [];
});

describe('Athena SQL (run in DuckDB over the table shape) ≡ JavaScript engine', () => {
  it('every shipped rule the dialect compiles matches the same fixture records and inline test events', async () => {
    const placeholders = examplePlaceholders();
    const set = loadRules([join(ROOT, 'rules')], { placeholders });
    expect(set.errors).toEqual([]);
    const records = [...fixtures, ...inlineEvents(set)];
    const outcome = await compare(set, records, placeholders);
    report('shipped rules', set, outcome, records.length);
    expect(outcome.mismatches).toEqual([]);
    expect(outcome.misread).toEqual([]);
    expect(outcome.compiled).toBeGreaterThan(set.detections.length / 2);
    expect(outcome.matches).toBeGreaterThan(0);
  }, 120_000);

  it('crafted rules over booleans, numbers, null, exists, CIDR, regex flags, field references and arrays', async () => {
    const { set, cleanup } = craftedRules();
    try {
      expect(set.errors).toEqual([]);
      const outcome = await compare(set, CRAFTED_RECORDS, {});
      report('crafted rules', set, outcome, CRAFTED_RECORDS.length);
      expect(outcome.mismatches).toEqual([]);
      expect(outcome.misread).toEqual([]);
      // exists on a whole JSON column is refused, with the reason: the SerDe stores an absent and
      // a null field alike. Sigma's null is true for both, so it compiles (absentOrNull).
      expect(outcome.unsupported).toEqual(
        ['parameters-absent', 'parameters-exists'].map((name) =>
          expect.stringMatching(
            new RegExp(
              `^crafted ${name}: .*NULL in the table both when the record has no such field and when CloudTrail wrote null`,
            ),
          ),
        ),
      );
      expect(outcome.matches).toBeGreaterThan(20);
    } finally {
      cleanup();
    }
  });

  it('every SigmaHQ CloudTrail rule the dialect compiles matches the same records', async () => {
    const set = loadRules(['rules', 'rules-placeholder'].map((folder) => join(SIGMA, folder)));
    const records = [...fixtures, ...inlineEvents(set)];
    const outcome = await compare(set, records, {});
    report('SigmaHQ rules', set, outcome, records.length);
    expect(outcome.mismatches).toEqual([]);
    expect(outcome.misread).toEqual([]);
    expect(outcome.compiled).toBeGreaterThan(set.detections.length / 2);
    expect(outcome.matches).toBeGreaterThan(0);
  }, 120_000);
});
