/**
 * scan's closing line, as a newcomer checks it against the README and `cat`: the rules it counts
 * are the README's, and the records it read are the records `cat` prints with the same filters,
 * whatever scan ruled out without parsing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli';

const ROOT = join(import.meta.dirname, '..', '..');
const EXAMPLES = join(ROOT, 'examples', 'logs');
const CONFIG = join(ROOT, 'examples', 'trailwatch.yml');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

describe("scan's closing line", () => {
  it('counts the shipped rules as the README does: detections and first-seen rules, then correlations', async () => {
    const stated = /(\d+) rules in all \((\d+) detections, (\d+) correlations, (\d+) first-seen\)/.exec(
      README,
    );
    expect(stated).not.toBeNull();
    const [, all, detections, correlations, firstSeen] = (stated ?? []).map(Number);
    const run = await runCli(['scan', EXAMPLES, '--config', CONFIG]);
    const counted = /(\d+) detection and first-seen rule\(s\), (\d+) correlation rule\(s\)/.exec(run.stderr);
    expect(counted?.slice(1).map(Number)).toEqual([(detections ?? 0) + (firstSeen ?? 0), correlations]);
    expect(Number(counted?.[1]) + Number(counted?.[2])).toBe(all);
  });

  // Filters on the record (accounts the JSON Lines files do not name in a key, regions, a window)
  // and on the key (the log objects' account): scan reads what cat prints, no more.
  const filters: (readonly string[])[] = [
    [],
    ['--account', '123456789122'],
    ['--account', '111122223333'],
    ['--record-region', 'us-east-1'],
    ['--since', '2020-01-01', '--record-region', 'us-east-1,us-west-2'],
    ['--until', '2021-12-31'],
  ];
  for (const filter of filters) {
    it(`reads the records cat prints: ${filter.join(' ') || 'no filter'}`, async () => {
      const cat = await runCli(['cat', EXAMPLES, ...filter]);
      const printed = cat.stdout.split('\n').filter((line) => line !== '').length;
      const scan = await runCli(['scan', EXAMPLES, '--config', CONFIG, '--output', 'json', ...filter]);
      const { summary } = JSON.parse(scan.stdout) as { summary: { recordsRead: number; unparsed: number } };
      expect(summary.recordsRead).toBe(printed);
      expect(scan.stderr).toContain(`${printed} record(s) read (${summary.unparsed} ruled out unparsed)`);
    });
  }
});
