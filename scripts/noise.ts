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

const ROOT = join(import.meta.dirname, '..');
const DAY_MS = 86_400_000;
/** The bundled samples: one Control Tower member account's S3 log objects of 2022-01-03. */
const SAMPLES_DAY = Date.UTC(2022, 0, 3);

async function main(): Promise<number> {
  const org = generateBenignOrg();
  const orgDir = await mkdtemp(join(tmpdir(), 'trailwatch-benign-org-'));
  try {
    await writeBenignOrg(orgDir, org);
    const sets: BenignSet[] = [
      {
        name: 'samples',
        description:
          'the bundled real samples: a Control Tower member account, one day (`examples/logs/AWSLogs`)',
        dir: join(ROOT, 'examples', 'logs', 'AWSLogs'),
        since: SAMPLES_DAY,
        until: SAMPLES_DAY + DAY_MS - 1,
        days: 1,
        configFile: join(ROOT, 'examples', 'trailwatch.yml'),
      },
      {
        name: 'organisation',
        description: `a generated organisation (\`test/factories/benign-org\`, seed ${DEFAULT_BENIGN_ORG.seed}): management, Audit, prod and dev accounts, 3 regions, Identity Center people, AWS services and service-linked roles, Control Tower, GitHub Actions CI, workloads, backups`,
        dir: orgDir,
        since: org.since,
        until: org.until,
        days: org.days,
        configFile: join(ROOT, 'test', 'fixtures', 'benign-org', 'trailwatch.yml'),
      },
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
    for (const { set, report: backtest } of measured) {
      console.log(
        `${set.name}: ${backtest.records} records, ${backtest.alerts} alerts, ${(backtest.alerts / set.days).toFixed(2)}/day`,
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
