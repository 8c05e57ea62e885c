/**
 * A pack ten times the size of the shipped one, for the scaling benchmark: every rule plus nine
 * variants, each with its own id and title and its own extra filter (a principal that never acts),
 * so every variant is a distinct rule that is indexed like its original, evaluated in full, and
 * matches what its original matches: the worst case, where no variant is cheaper to rule out.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { findRuleFiles, loadRules, shippedRulesDir } from '../lib/rules';

export const VARIANTS_PER_RULE = 9;

export function tenfoldRuleDir(): string {
  const source = shippedRulesDir();
  // Rules that only feed a correlation raise no findings; copies of them would be live rules instead.
  const correlationOnly = loadRules([source]).correlationOnly;
  const target = join(import.meta.dirname, '.data', 'rules-10x');
  rmSync(target, { recursive: true, force: true });
  for (const file of findRuleFiles([source]).files) {
    const out = join(target, relative(source, file));
    mkdirSync(join(out, '..'), { recursive: true });
    const text = readFileSync(file, 'utf8');
    writeFileSync(out, text);
    const [document] = parseAllDocuments(text);
    if (!document || Array.isArray(document)) continue;
    const rule = document.toJS() as Record<string, unknown>;
    if ('correlation' in rule || correlationOnly.has(String(rule.id))) continue;
    for (let i = 1; i <= VARIANTS_PER_RULE; i++) {
      const detection = rule.detection as Record<string, unknown>;
      const condition = Array.isArray(detection.condition)
        ? detection.condition.join(' or ')
        : String(detection.condition);
      const variant: Record<string, unknown> = {
        ...rule,
        id: randomUUID(),
        title: `${String(rule.title)} (variant ${i})`,
        detection: {
          ...detection,
          bench_variant_filter: { 'userIdentity.arn': `arn:aws:iam::000000000000:user/bench-variant-${i}` },
          condition: `(${condition}) and not bench_variant_filter`,
        },
      };
      if (typeof rule.name === 'string') variant.name = `${rule.name}_variant_${i}`;
      writeFileSync(out.replace(/\.yml$/, `.variant-${i}.yml`), JSON.stringify(variant));
    }
  }
  return target;
}
