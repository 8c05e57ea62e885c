/** The benign sets the noise report and its test measure, with the configuration each runs with. */
import { join } from 'node:path';
import { DEFAULT_FIRST_SEEN_LEARNING, durationMs } from '../../lib/rules';
import type { BenignOrg } from '../../test/factories/benign-org';
import type { BenignSet } from './measure';

export const ROOT = join(import.meta.dirname, '..', '..');
const DAY_MS = 86_400_000;
/** The bundled samples: one Control Tower member account's S3 log objects of 2022-01-03. */
const SAMPLES_DAY = Date.UTC(2022, 0, 3);

export function samplesSet(): BenignSet {
  return {
    name: 'samples',
    description:
      'the bundled real samples: a Control Tower member account, one day (`examples/logs/AWSLogs`)',
    dir: join(ROOT, 'examples', 'logs', 'AWSLogs'),
    since: SAMPLES_DAY,
    until: SAMPLES_DAY + DAY_MS - 1,
    measuredSince: SAMPLES_DAY,
    days: 1,
    configFile: join(ROOT, 'examples', 'trailwatch.yml'),
  };
}

/** First-seen rules learn this long before they alert: the organisation's history starts this much earlier. */
export const LEARNING_DAYS = Math.ceil(durationMs(DEFAULT_FIRST_SEEN_LEARNING) / DAY_MS);

/**
 * The generated organisation, written to `dir`, run with its own exclusions (CI roles, own
 * accounts); the last `measuredDays` days are counted, the days before are the history first-seen
 * rules learn from.
 */
export function organisationSet(dir: string, org: BenignOrg, seed: number, measuredDays: number): BenignSet {
  const measuredSince = org.until + 1 - measuredDays * DAY_MS;
  const learned = org.days - measuredDays;
  return {
    name: 'organisation',
    description: `a generated organisation (\`test/factories/benign-org\`, seed ${seed}, ${measuredDays} days counted after ${learned} days replayed for first-seen rules to learn from): management, Audit, prod and dev accounts, 3 regions, Identity Center people, AWS services and service-linked roles, Control Tower, GitHub Actions CI, workloads, backups`,
    dir,
    since: org.since,
    until: org.until,
    measuredSince,
    days: measuredDays,
    configFile: join(ROOT, 'test', 'fixtures', 'benign-org', 'trailwatch.yml'),
  };
}
