import type { Alert } from '../alerts';
import type { RouteConfig, TrailwatchConfig } from '../config';

function matchesRoute(match: RouteConfig['match'], alert: Alert): boolean {
  if (match.rules && !match.rules.includes(alert.rule.id)) return false;
  if (match.levels && !match.levels.includes(alert.level)) return false;
  if (match.tags && !match.tags.some((tag) => alert.rule.tags.includes(tag))) return false;
  if (match.accounts && (alert.facts.account === undefined || !match.accounts.includes(alert.facts.account)))
    return false;
  return true;
}

/**
 * Where an alert goes: every route that matches it, plus the destinations its rule names in
 * `notify.destinations`; when neither names any, the default for its level.
 */
export function routeAlert(alert: Alert, config: TrailwatchConfig): string[] {
  const chosen = new Set<string>();
  for (const route of config.routes) {
    if (matchesRoute(route.match, alert)) for (const name of route.destinations) chosen.add(name);
  }
  for (const name of alert.rule.destinations) chosen.add(name);
  if (chosen.size === 0) for (const name of config.defaultRoutes[alert.level] ?? []) chosen.add(name);
  return [...chosen];
}
