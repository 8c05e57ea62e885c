/**
 * Backtest reports made up for the HTML tests: a window of N days, twelve rules (two more than
 * get their own colour) whose alerts rise and fall over the days, a rule with a long title and a
 * UUID id, and a hostile title that must stay text. Deterministic, so a failure reproduces.
 */
import type { BacktestReport, RuleReport } from '../../lib/history';

const DAY_MS = 86_400_000;

/** Titles as the rule pack writes them, a long one, and one that would be markup if not escaped. */
export const HOSTILE_TITLE = `</script><img src=x onerror=alert(1)> "quoted" & 'single'`;
const TITLES = [
  'Session started in a wide-permission role',
  'CIS 4.3: Root account usage',
  'CIS 4.2: Console sign-in without MFA',
  HOSTILE_TITLE,
  'S3 buckets listed with EC2 instance credentials, then objects copied out of the account within the hour',
  'Root user signed in to the console',
  'IAM user signed in to the console instead of through SSO',
  'CIS 4.6: Console authentication failures',
  'Security group opened to the internet',
  'KMS key scheduled for deletion',
  'CloudTrail logging stopped',
  'GuardDuty detector deleted',
];

/** A small linear congruential generator: the same numbers on every machine. */
function numbers(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

function uuid(next: () => number): string {
  const hex = (n: number): string =>
    Array.from({ length: n }, () => Math.floor(next() * 16).toString(16)).join('');
  return `${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}`;
}

/** A rule that raised nothing: counted under the table, never charted. */
const QUIET_RULE: RuleReport = {
  id: 'quiet-rule',
  title: 'A quiet rule',
  level: 'low',
  kind: 'detection',
  alerts: 0,
  afterDedup: 0,
  deduplicated: 0,
  suppressed: 0,
  perDay: {},
  topPrincipals: [],
  topPeople: [],
};

export function fixtureDays(first: string, count: number): string[] {
  const start = Date.parse(`${first}T00:00:00Z`);
  return Array.from({ length: count }, (_, i) => new Date(start + i * DAY_MS).toISOString().slice(0, 10));
}

/**
 * A report over `dayCount` days from `first`. Rule i raises about (12 − i) alerts a day on the days
 * it fires, and dedup keeps about half of them, so the two charts rank the rules differently.
 */
export function fixtureReport(
  first: string,
  dayCount: number,
  { seed = 13, hostile = true }: { seed?: number; hostile?: boolean } = {},
): BacktestReport {
  const next = numbers(seed);
  // The README's pictures show a title a reader expects in place of the hostile one.
  const titles = hostile
    ? TITLES
    : TITLES.map((title) => (title === HOSTILE_TITLE ? 'Access key created for another user' : title));
  const days = fixtureDays(first, dayCount);
  const rules: RuleReport[] = titles.map((title, i) => {
    const perDay: Record<string, { alerts: number; afterDedup: number }> = {};
    let alerts = 0;
    let afterDedup = 0;
    for (const day of days) {
      if (next() < 0.25) continue;
      const raised = Math.max(1, Math.round((titles.length - i) * (0.5 + next())));
      // Odd rules dedup hard, even ones hardly: the notification chart reorders them.
      const kept = i % 2 === 1 ? Math.max(0, Math.round(raised * 0.2)) : raised - Math.round(raised * 0.1);
      perDay[day] = { alerts: raised, afterDedup: kept };
      alerts += raised;
      afterDedup += kept;
    }
    return {
      id: uuid(next),
      title,
      level: i % 3 === 0 ? 'high' : 'medium',
      kind: 'detection',
      alerts,
      afterDedup,
      deduplicated: alerts - afterDedup,
      suppressed: 0,
      perDay,
      topPrincipals: [
        {
          principal: `arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_AdministratorAccess_0123456789abcdef/alice.example@example.com`,
          alerts: Math.ceil(alerts / 2),
        },
        { principal: 'arn:aws:iam::111122223333:root', alerts: Math.floor(alerts / 2) },
      ],
      topPeople: [{ name: 'alice.example@example.com', known: true, alerts }],
    };
  });
  rules.sort((a, b) => b.alerts - a.alerts || (a.title < b.title ? -1 : 1));
  const last = Date.parse(`${days[days.length - 1] ?? first}T00:00:00Z`) + DAY_MS;
  return {
    source: 's3://trail-bucket/org-trail',
    since: `${first}T00:00:00.000Z`,
    until: new Date(last).toISOString(),
    accounts: null,
    regions: ['us-east-1', 'eu-west-1'],
    objects: { listed: dayCount * 48, read: dayCount * 48, skipped: 0, bytes: dayCount * 1_000_000 },
    records: dayCount * 5_000,
    alerts: rules.reduce((sum, rule) => sum + rule.alerts, 0),
    afterDedup: rules.reduce((sum, rule) => sum + rule.afterDedup, 0),
    days,
    rules: [...rules, QUIET_RULE],
    problems: [],
    problemCount: 0,
    ruleErrors: 0,
  };
}
