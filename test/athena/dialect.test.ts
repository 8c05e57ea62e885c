/**
 * The Athena dialect's own choices: which field paths the typed table can read (and the reasons
 * for the ones it cannot), the partition scope that keeps a scan to the asked days, accounts and
 * regions, and the select list the row reader reads back.
 */
import { describe, expect, it } from 'vitest';
import { CLOUDTRAIL_COLUMNS, columnName } from '../../lib/athena';
import { createAthenaDialect, SELECT_LIST } from '../../lib/athena/dialect';
import { DELIVERY_LAG_MS } from '../../lib/ingest';

const dialect = createAthenaDialect({ database: 'trailwatch_prod' });

describe('fieldProblem', () => {
  it.each([
    'eventName',
    'sourceIPAddress',
    'userIdentity.sessionContext.sessionIssuer.arn',
    'userIdentity.sessionContext.attributes.mfaAuthenticated',
    'resources.ARN',
    'requestParameters',
    'requestParameters.bucketName',
    'requestParameters.ipPermissions.items.ipRanges.items.cidrIp',
    'additionalEventData.MFAUsed',
    'readOnly',
    'tlsDetails.clientProvidedHostHeader',
  ])('reads %s', (path) => {
    expect(dialect.fieldProblem(path)).toBeUndefined();
  });

  it.each([
    [null, "keywords search the record's whole JSON text"],
    ['eventname', "'eventname' is not a column of AWS's documented CloudTrail table"],
    ['managementEvent', "'managementEvent' is not a column"],
    [
      'userIdentity.sessionContext.sourceIdentity',
      "'userIdentity.sessionContext.sourceIdentity' is not a column",
    ],
    ['userIdentity', "'userIdentity' is an object: its JSON text cannot be rebuilt exactly"],
    ['resources', "'resources' is not a column"],
    ['resources.arn', "'resources.arn' is not a column"],
    ['userIdentity.sessionContext.webIdFederationData.attributes.sub', 'reads into a map column'],
    ['requestParameters.a"b', 'holds a quote or backslash'],
  ])('refuses %s: %s', (path, reason) => {
    expect(dialect.fieldProblem(path)).toContain(reason);
  });
});

describe('matchQuery', () => {
  const scope = {
    since: new Date('2026-03-01T10:00:00.000Z'),
    until: new Date('2026-03-03T23:30:00.000Z'),
    accounts: ['111122223333', '444455556666'],
    regions: ['eu-west-1'],
  };

  it('prunes partitions to the asked days (plus the delivery lag), accounts and regions, and filters the records exactly', () => {
    const sql = dialect.matchQuery('(1 = 1)', scope);
    const lastDay = new Date(scope.until.getTime() + DELIVERY_LAG_MS)
      .toISOString()
      .slice(0, 10)
      .replaceAll('-', '/');
    expect(lastDay).toBe('2026/03/04');
    expect(sql).toBe(
      `SELECT ${SELECT_LIST} FROM "trailwatch_prod"."cloudtrail" WHERE ` +
        [
          `"date" >= '2026/03/01'`,
          `from_iso8601_timestamp("eventtime") >= from_iso8601_timestamp('2026-03-01T10:00:00.000Z')`,
          `"date" <= '2026/03/04'`,
          `from_iso8601_timestamp("eventtime") <= from_iso8601_timestamp('2026-03-03T23:30:00.000Z')`,
          `"account" IN ('111122223333', '444455556666')`,
          `"recipientaccountid" IN ('111122223333', '444455556666')`,
          `"region" IN ('eu-west-1')`,
          `"awsregion" IN ('eu-west-1')`,
          '(1 = 1)',
        ].join(' AND ') +
        ' ORDER BY "eventtime", "eventid"',
    );
  });

  it('selects every column, structs and arrays as JSON text, and the object each row is from', () => {
    for (const column of CLOUDTRAIL_COLUMNS) expect(SELECT_LIST).toContain(`"${columnName(column)}"`);
    expect(SELECT_LIST).toContain('json_format(CAST("useridentity" AS JSON)) AS "useridentity"');
    expect(SELECT_LIST).toContain('json_format(CAST("resources" AS JSON)) AS "resources"');
    expect(SELECT_LIST).toContain('"$path" AS "trailwatch_path"');
  });

  it('reads struct fields by their lowercase column names', () => {
    const sql = dialect.anyLeaf(
      'userIdentity.sessionContext.sessionIssuer.arn',
      (leaf) => `(${leaf.text} = 'x')`,
    );
    expect(sql).toBe(
      `("useridentity"."sessioncontext"."sessionissuer"."arn" IS NOT NULL AND ("useridentity"."sessioncontext"."sessionissuer"."arn" = 'x'))`,
    );
  });

  it('writes literals Trino reads back exactly', () => {
    expect(dialect.string("it's")).toBe("'it''s'");
    expect(dialect.string('a\0b')).toBe("('a' || chr(0) || 'b')");
    expect(dialect.number(1e21)).toBe("CAST('1e+21' AS DOUBLE)");
  });
});
