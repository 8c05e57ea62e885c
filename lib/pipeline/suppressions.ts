import type { Alert } from '../alerts';
import type { SuppressionConfig } from '../config';
import { compileStringMatcher, SigmaString } from '../rules/sigma-string';

export interface ActiveSuppression {
  readonly config: SuppressionConfig;
  matches(alert: Alert): boolean;
}

function anyPattern(
  patterns: readonly string[] | undefined,
): ((value: string | undefined) => boolean) | undefined {
  if (!patterns || patterns.length === 0) return undefined;
  const matchers = patterns.map((pattern) => compileStringMatcher(SigmaString.parse(pattern), false));
  return (value) => value !== undefined && matchers.some((matches) => matches(value));
}

/** Compiles suppressions once; principal, event and IP patterns take `*` and `?` like rule values. */
export function compileSuppressions(suppressions: readonly SuppressionConfig[]): ActiveSuppression[] {
  return suppressions.map((config) => {
    const principal = anyPattern(config.match.principals);
    const eventName = anyPattern(config.match.eventNames);
    const sourceIP = anyPattern(config.match.sourceIPs);
    const { rules, accounts } = config.match;
    return {
      config,
      matches: (alert) =>
        (!rules || rules.includes(alert.rule.id)) &&
        (!accounts || (alert.facts.account !== undefined && accounts.includes(alert.facts.account))) &&
        (!principal || principal(alert.facts.principalArn)) &&
        (!eventName || eventName(alert.facts.eventName)) &&
        (!sourceIP || sourceIP(alert.facts.sourceIPAddress)),
    };
  });
}

/** The first suppression in force at `now` that covers the alert; expired ones never apply. */
export function findSuppression(
  alert: Alert,
  suppressions: readonly ActiveSuppression[],
  now: number,
): ActiveSuppression | undefined {
  return suppressions.find((suppression) => suppression.config.expiresAt > now && suppression.matches(alert));
}
