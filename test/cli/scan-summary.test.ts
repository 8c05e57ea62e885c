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
});
