import * as z from '../validation';
import type { CliIo } from './io';
import { EXIT_INPUT_FAILED, EXIT_OK, writeDiagnostic } from './io';
import { loadRuleSet, readConfig } from './rule-options';

/** `config validate`'s flags. */
export const configValidateFlags = z.object({ config: z.optional(z.string()) });

/**
 * `trailwatch config validate`: the file against its schema (errors with file:line, reported by
 * readConfig as a usage error), then what only the rules can tell: rule files and folders that do
 * not load, destinations named by rules that do not exist, suppressions and disabled entries of rules
 * that do not exist, and expired suppressions.
 */
export function runConfigValidate(options: z.output<typeof configValidateFlags>, io: CliIo): number {
  const config = readConfig(options);
  // Every rule, the disabled ones too: `rules.disabled` must name rules that exist.
  const set = loadRuleSet(options, config, [], true);
  const problems: string[] = set.errors.map((error) => error.toString());
  const ruleIds = new Set([...set.detections, ...set.correlations].map((rule) => rule.meta.id));
  const destinations = new Set(Object.keys(config.destinations));
  for (const rule of set.detections) {
    const named = rule.meta.notify?.destinations;
    for (const name of Array.isArray(named) ? named : []) {
      if (!destinations.has(String(name))) {
        problems.push(
          `${rule.location.file}:${rule.location.line}: rule '${rule.meta.title}' names destination '${String(name)}', which ${config.file ?? 'the configuration'} does not define`,
        );
      }
    }
  }
  for (const suppression of config.suppressions) {
    for (const id of suppression.match.rules ?? []) {
      if (!ruleIds.has(id))
        problems.push(
          `${config.file}:${suppression.line}: suppression names rule '${id}', which is not loaded`,
        );
    }
  }
  for (const id of config.disabledRules) {
    if (!ruleIds.has(id)) {
      const line = config.disabledRuleLines?.get(id);
      problems.push(
        `${config.file}${line === undefined ? '' : `:${line}`}: rules.disabled names '${id}', which is not loaded`,
      );
    }
  }
  for (const warning of config.warnings) writeDiagnostic(io, `warning: ${warning}`);
  for (const problem of problems) writeDiagnostic(io, `error: ${problem}`);
  const where = config.file ?? 'no trailwatch.yml (defaults)';
  io.stdout.write(
    `${where}: ${Object.keys(config.destinations).length} destination(s), ${config.routes.length} route(s), ${config.suppressions.length} suppression(s) (${config.warnings.length} expired), state ${config.state.backend}; ${problems.length} error(s)\n`,
  );
  return problems.length > 0 ? EXIT_INPUT_FAILED : EXIT_OK;
}
