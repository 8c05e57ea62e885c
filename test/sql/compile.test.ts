/**
 * What the compiler refuses, rule by rule, with the reason a person reads on stderr; and what it
 * hands over (correlations counted over SQL matches, the fields each rule reads).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadRules } from '../../lib/rules';
import { compileHunt } from '../../lib/sql';
import { createDuckdbDialect } from '../../lib/sql/duckdb-dialect';

const folder = mkdtempSync(join(tmpdir(), 'trailwatch-sql-compile-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

let ids = 0;
function ruleFile(body: string): string {
  const id = `00000000-0000-4000-8000-${String(++ids).padStart(12, '0')}`;
  const path = join(folder, `rule-${ids}.yml`);
  writeFileSync(
    path,
    `title: rule ${ids}\nid: ${id}\nlogsource: {product: aws, service: cloudtrail}\nlevel: low\n${body}`,
  );
  return path;
}

function compileOne(body: string) {
  const set = loadRules([ruleFile(body)]);
  expect(set.errors).toEqual([]);
  return compileHunt(set, createDuckdbDialect());
}

describe('compileHunt refuses what SQL cannot say as the JavaScript engine does', () => {
  it.each([
    ['keywords', 'detection:\n  keywords: [alice]\n  condition: keywords\n', /keywords.*attribution/],
    [
      'actor.*',
      'detection:\n  selection:\n    actor.person.name: alice\n  condition: selection\n',
      /actor\.\*/,
    ],
    [
      'first_seen',
      'detection:\n  selection:\n    eventName: ConsoleLogin\n  condition: selection\nfirst_seen:\n  fields: [sourceIPAddress]\n',
      /first_seen/,
    ],
    [
      'a ? wildcard',
      'detection:\n  selection:\n    eventName: Get?\n  condition: selection\n',
      /'\?'.*UTF-16/,
    ],
    [
      'an IPv6 network',
      'detection:\n  selection:\n    sourceIPAddress|cidr: 2001:db8::/32\n  condition: selection\n',
      /IPv6/,
    ],
  ])('%s', (_name, body, reason) => {
    const compiled = compileOne(body);
    expect(compiled.rules).toEqual([]);
    expect(compiled.unsupported).toHaveLength(1);
    expect(compiled.unsupported[0]?.reason).toMatch(reason);
  });

  it('compiles the rest and says which fields each rule reads', () => {
    const compiled = compileOne(
      'detection:\n  selection:\n    eventSource: iam.amazonaws.com\n    resources.ARN|contains: role/\n  filter:\n    errorCode|exists: true\n  condition: selection and not filter\n',
    );
    expect(compiled.unsupported).toEqual([]);
    expect(compiled.rules[0]?.fields).toEqual(['eventSource', 'resources.ARN', 'errorCode']);
  });
});

describe('correlations', () => {
  const detection = (id: string): string =>
    `title: counted\nid: ${id}\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n  selection:\n    eventName: GetObject\n  condition: selection\n`;
  const correlation = (type: string, counted: string, extra: string): string =>
    `---\ntitle: ${type}\nid: 11111111-0000-4000-8000-00000000000${type.length}\ncorrelation:\n  type: ${type}\n  rules: [${counted}]\n  timespan: 5m\n${extra}`;

  it.each([
    ['event_count', '  group-by: [userIdentity.arn]\n  condition: {gte: 3}\n', undefined],
    ['value_count', '  group-by: [userIdentity.arn]\n  condition: {field: awsRegion, gte: 2}\n', undefined],
    [
      'value_count',
      '  group-by: [actor.person.name]\n  condition: {field: awsRegion, gte: 2}\n',
      /actor\.person\.name/,
    ],
    ['temporal', '  group-by: [userIdentity.arn]\n', /temporal correlation is not run/],
  ])('%s %#', (type, extra, reason) => {
    const id = '22222222-0000-4000-8000-000000000001';
    const path = join(folder, `correlation-${++ids}.yml`);
    writeFileSync(path, `${detection(id)}${correlation(type, id, extra)}`);
    const set = loadRules([path]);
    expect(set.errors).toEqual([]);
    const compiled = compileHunt(set, createDuckdbDialect());
    if (reason === undefined) {
      expect(compiled.correlations.map((feed) => feed.type)).toEqual([type]);
      expect(compiled.rules[0]?.correlationOnly).toBe(true);
    } else {
      expect(compiled.correlations).toEqual([]);
      expect(compiled.unsupported.map((rule) => rule.reason).join('\n')).toMatch(reason);
    }
  });

  it('a correlation counting a rule SQL cannot express is unsupported, naming that rule', () => {
    const path = join(folder, `correlation-${++ids}.yml`);
    const id = '33333333-0000-4000-8000-000000000001';
    writeFileSync(
      path,
      `title: by person\nid: ${id}\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n  selection:\n    actor.person.name: alice\n  condition: selection\n${correlation('event_count', id, '  group-by: [userIdentity.arn]\n  condition: {gte: 3}\n')}`,
    );
    const compiled = compileHunt(loadRules([path]), createDuckdbDialect());
    expect(compiled.unsupported.map((rule) => rule.reason)).toContainEqual(
      expect.stringMatching(/counts 'by person', which does not compile to SQL/),
    );
  });
});
