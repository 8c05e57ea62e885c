/**
 * `npm run noise`: backtests the shipped pack over the bundled real samples and over a generated
 * benign organisation (test/factories/benign-org), and writes rules/NOISE.md. Exits 1 when a rule
 * at medium or above fired on either: the pack must stay quiet on normal traffic.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { DEFAULT_BENIGN_ORG, generateBenignOrg, writeBenignOrg } from '../test/factories/benign-org';
import type { BenignSet, SetNoise } from './noise/measure';
import { describeLoud, measureSet } from './noise/measure';
import { renderNoiseReport } from './noise/report';
import { LEARNING_DAYS, organisationSet, ROOT, samplesSet } from './noise/sets';

/** A week counted: every weekly event of the organisation (Control Tower update, CI changes, key rotation). */
const MEASURED_DAYS = 7;
/** A Monday, so the learning history and the counted week start on the same weekday. */
const FIRST_DAY = '2026-09-21';

async function main(): Promise<number> {
  // Three weeks: two for the first-seen rules to learn from, the last one counted.
  const org = generateBenignOrg({ days: LEARNING_DAYS + MEASURED_DAYS, firstDay: FIRST_DAY });
  const orgDir = await mkdtemp(join(tmpdir(), 'trailwatch-benign-org-'));
  try {
    await writeBenignOrg(orgDir, org);
    const sets: BenignSet[] = [
      samplesSet(),
      organisationSet(orgDir, org, DEFAULT_BENIGN_ORG.seed, MEASURED_DAYS),
    ];
    const measured: SetNoise[] = [];
    for (const set of sets) {
      const noise = await measureSet(set);
      for (const problem of noise.report.problems) console.error(`noise: ${set.name}: ${problem}`);
      measured.push(noise);
    }
    // Paths in the report are relative, so it reads the same on every machine.
    const report = renderNoiseReport(
      measured.map((noise) => ({
        ...noise,
        set: { ...noise.set, configFile: relative(ROOT, noise.set.configFile) },
        loud: noise.loud.map((loud) => ({
          ...loud,
          events: loud.events.map((event) => ({
            ...event,
            where:
              relative(noise.set.dir, event.where.split(':')[0] ?? '') +
              event.where.slice(event.where.indexOf(':')),
          })),
        })),
      })),
    );
    const out = join(ROOT, 'rules', 'NOISE.md');
    await writeFile(out, report);
    for (const { set, report: backtest, alerts } of measured) {
      console.log(
        `${set.name}: ${backtest.records} records, ${alerts} alerts in the ${set.days} day(s) counted, ${(alerts / set.days).toFixed(2)}/day`,
      );
    }
    const loud = measured.flatMap((noise) => noise.loud);
    for (const rule of loud) console.log(`LOUD: ${describeLoud(rule)}`);
    console.log(`wrote ${relative(ROOT, out)}`);
    return loud.length > 0 ? 1 : 0;
  } finally {
    await rm(orgDir, { recursive: true, force: true });
  }
}

process.exitCode = await main();
