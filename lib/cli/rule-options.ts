import type { TrailwatchConfig } from '../config';
import { ConfigError, loadConfig } from '../config';
import type { RuleSet } from '../rules';
import { loadRules, shippedRulesDir } from '../rules';
import * as z from '../validation';
import type { CliIo } from './io';
import { UsageError, writeDiagnostic } from './io';

export interface RuleCliOptions {
  readonly rules?: readonly string[] | undefined;
  readonly config?: string | undefined;
  /** A field no CloudTrail record can hold is an error, not a warning (`rules validate --strict`). */
  readonly strict?: boolean | undefined;
}

/** `--rules` (repeatable) and `--config`, as every command that loads rules takes them. */
export const ruleFlagsShape = {
  rules: z.optional(z.array(z.string())),
  config: z.optional(z.string()),
};

/** Reads trailwatch.yml, turning its problems into a usage error that lists them all. */
export function readConfig(options: RuleCliOptions): TrailwatchConfig {
  try {
    return loadConfig(options.config);
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(`invalid configuration:\n${error.message}`);
    throw error;
  }
}

/** The rule paths a command uses: `--rules` if given, else the shipped pack plus the configured ones. */
export function rulePaths(
  options: RuleCliOptions,
  config: TrailwatchConfig,
  positional: readonly string[] = [],
): string[] {
  const explicit = [...(options.rules ?? []), ...positional];
  if (explicit.length > 0) return explicit;
  return [...(config.shippedRules ? [shippedRulesDir()] : []), ...config.rulePaths];
}

export function loadRuleSet(
  options: RuleCliOptions,
  config: TrailwatchConfig,
  positional: readonly string[] = [],
  /** `config validate` checks `rules.disabled` against every rule, so it keeps the disabled ones. */
  keepDisabled = false,
): RuleSet {
  const set = loadRules(rulePaths(options, config, positional), {
    placeholders: config.placeholders,
    strictFields: options.strict === true,
  });
  if (config.disabledRules.size === 0 || keepDisabled) return set;
  return { ...set, detections: set.detections.filter((rule) => !config.disabledRules.has(rule.meta.id)) };
}

/**
 * The configuration and rules of a command that evaluates records. Config warnings and rules that
 * did not load are reported on stderr and the rest goes on; no rule at all is a usage error.
 */
export function loadCommandRules(
  options: RuleCliOptions,
  io: CliIo,
  nothingTo: string,
): { config: TrailwatchConfig; set: RuleSet } {
  const config = readConfig(options);
  for (const warning of config.warnings) writeDiagnostic(io, `trailwatch: config warning: ${warning}`);
  const set = loadRuleSet(options, config);
  for (const error of set.errors) writeDiagnostic(io, `trailwatch: rule error: ${error.toString()}`);
  if (set.detections.length === 0) throw new UsageError(`no rules loaded: nothing to ${nothingTo}`);
  return { config, set };
}
