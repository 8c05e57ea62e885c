/**
 * Account names in the reports, through the CLI: scan findings (ndjson), audit's table, HTML page
 * and JSON. Names come from trailwatch.yml's `accounts:`; ids without a name are shown alone.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ssoTrailDeletion } from '../factories/records';
import { jsonLines, runCli } from '../helpers/cli';

const deleteTrail = (eventID: string, account: string) => ssoTrailDeletion(eventID, account);

function workspace(): { config: string; records: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'trailwatch-accounts-'));
  const config = join(dir, 'trailwatch.yml');
  writeFileSync(config, "accounts:\n  '111122223333': prod\n");
  const records = join(dir, 'records.json');
  writeFileSync(
    records,
    JSON.stringify({ Records: [deleteTrail('e-1', '111122223333'), deleteTrail('e-2', '444455556666')] }),
  );
  return { config, records, dir };
}

describe('account names in reports', () => {
  it('scan: each finding has recipientAccountName, null where none is known', async () => {
    const { config, records } = workspace();
    const run = await runCli(['scan', records, '--config', config, '--output', 'ndjson']);
    const named = jsonLines(run.stdout).map((finding) => [
      finding.recipientAccountId,
      finding.recipientAccountName,
    ]);
    expect(named).toContainEqual(['111122223333', 'prod']);
    expect(named).toContainEqual(['444455556666', null]);
  });

  it('audit: the table and the HTML show id (name), JSON keeps the ids and lists accountNames', async () => {
    const { config, records, dir } = workspace();
    const html = join(dir, 'audit.html');
    const table = await runCli([
      'audit',
      records,
      '--config',
      config,
      '--who',
      'alice@example.com',
      '--html',
      html,
    ]);
    expect(table.stdout).toContain('111122223333 (prod)');
    expect(table.stdout).toContain('444455556666');
    expect(table.stdout).not.toContain('444455556666 (');
    expect(readFileSync(html, 'utf8')).toContain('111122223333 (prod)');
    const json = await runCli([
      'audit',
      records,
      '--config',
      config,
      '--who',
      'alice@example.com',
      '--output',
      'json',
    ]);
    const report = JSON.parse(json.stdout);
    expect(report.accountNames).toEqual({ '111122223333': 'prod' });
    expect(report.summary.accounts).toEqual(['111122223333', '444455556666']);
  });
});
