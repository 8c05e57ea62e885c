import type { TrailwatchConfig } from '../config';
import type { RuleSet, RuleTestResult } from '../rules';
import { formatLocation, runRuleTests } from '../rules';
import { oneLine } from '../text';
import * as z from '../validation';
import type { CliIo } from './io';
import { EXIT_INPUT_FAILED, EXIT_OK, writeDiagnostic } from './io';
import { outputFlag } from './options';
import type { RuleCliOptions } from './rule-options';
import { loadRuleSet, readConfig } from './rule-options';

export const RULES_LIST_OUTPUTS = ['text', 'json'] as const;

/** The flags of `rules validate`, `rules test` and `rules list`, checked and typed at the edge. */
export const rulesValidateFlags = z.object({
  config: z.optional(z.string()),
  strict: z.optional(z.boolean()),
});
export const rulesTestFlags = z.object({ config: z.optional(z.string()), verbose: z.optional(z.boolean()) });
export const rulesListFlags = z.object({
  config: z.optional(z.string()),
  output: outputFlag(RULES_LIST_OUTPUTS, 'text'),
});

/** Reads the config and the rules, printing every load error and warning with its location. */
function loadAndReport(
  paths: readonly string[],
  options: RuleCliOptions,
  io: CliIo,
): { config: TrailwatchConfig; set: RuleSet } {
  const config = readConfig(options);
  const set = loadRuleSet(options, config, paths);
  for (const error of set.errors) writeDiagnostic(io, `${error.toString()}`);
  for (const warning of set.warnings) {
    writeDiagnostic(io, `${formatLocation(warning.location)}: warning: ${warning.message}`);
  }
  return { config, set };
}

/** `trailwatch rules validate`: every problem in every rule, at once. */
export function runRulesValidate(paths: readonly string[], options: RuleCliOptions, io: CliIo): number {
  const { set } = loadAndReport(paths, options, io);
  io.stdout.write(
    `${set.detections.length} detection rule(s) and ${set.correlations.length} correlation rule(s) loaded from ${set.files} file(s); ${set.errors.length} error(s), ${set.warnings.length} warning(s)\n`,
  );
  return set.errors.length > 0 ? EXIT_INPUT_FAILED : EXIT_OK;
}

/** `trailwatch rules test`: runs every inline test and says why a failing one failed. */
export function runRulesTest(
  paths: readonly string[],
  options: z.output<typeof rulesTestFlags>,
  io: CliIo,
): number {
  const { config, set } = loadAndReport(paths, options, io);
  const results: RuleTestResult[] = [];
  let untested = 0;
  for (const rule of set.detections) {
    const ruleResults = runRuleTests(rule, config.placeholders);
    results.push(...ruleResults);
    const hasPositive = rule.tests.some((t) => t.expect);
    const hasNegative = rule.tests.some((t) => !t.expect);
    if (!hasPositive || !hasNegative) {
      untested++;
      const missing = [!hasPositive && 'positive', !hasNegative && 'negative'].filter(Boolean).join(' and ');
      writeDiagnostic(
        io,
        `${formatLocation(rule.location)}: warning: '${rule.meta.title}' has no ${missing} test`,
      );
    }
    for (const result of ruleResults) {
      if (result.passed && !options.verbose) continue;
      const mark = result.passed ? 'PASS' : 'FAIL';
      // Titles, test names and the values quoted in `why` come from the rule file: a rule downloaded
      // from anywhere must not colour the terminal, plant a link or print a forged PASS line.
      const why = result.why ? `\n    ${oneLine(result.why)}` : '';
      io.stdout.write(
        `${mark} ${oneLine(rule.meta.title)} > ${oneLine(result.name)} (expect ${result.expect ? 'match' : 'no match'})${why}\n`,
      );
    }
  }
  const failed = results.filter((r) => !r.passed).length;
  io.stdout.write(
    `${results.length - failed} passed, ${failed} failed, across ${set.detections.length} rule(s); ${untested} rule(s) lack a positive or negative test\n`,
  );
  return failed > 0 || set.errors.length > 0 ? EXIT_INPUT_FAILED : EXIT_OK;
}

/** `trailwatch rules list`: what is loaded, with level and ATT&CK tags. */
export function runRulesList(
  paths: readonly string[],
  options: z.output<typeof rulesListFlags>,
  io: CliIo,
): number {
  const { set } = loadAndReport(paths, options, io);
  const rows = [...set.detections, ...set.correlations].map((rule) => ({
    id: rule.meta.id,
    kind: rule.kind,
    level: rule.meta.level,
    title: rule.meta.title,
    tags: rule.meta.tags,
    file: formatLocation(rule.location),
    correlationOnly: set.correlationOnly.has(rule.meta.id),
  }));
  if (options.output === 'json') {
    io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
  } else {
    for (const row of rows) {
      // Every text here comes from a rule file; shown as one inert line each (see rules test).
      const tags = row.tags.filter((t) => t.startsWith('attack.')).join(' ');
      io.stdout.write(
        `${row.level.padEnd(13)} ${oneLine(row.title)}  [${oneLine(tags)}]\n    ${oneLine(row.id)}  ${oneLine(row.file)}\n`,
      );
    }
    io.stdout.write(`${rows.length} rule(s)\n`);
  }
  return set.errors.length > 0 ? EXIT_INPUT_FAILED : EXIT_OK;
}
