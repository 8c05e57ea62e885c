/**
 * A pack ten times the size of the shipped one, for the scaling benchmark: every rule plus nine
 * variants, each with its own id and title and its own extra filter (a principal that never acts),
 * so every variant is a distinct rule that is indexed like its original, evaluated in full, and
 * matches what its original matches: the worst case, where no variant is cheaper to rule out.
 */
import { hash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { findRuleFiles, loadRules, shippedRulesDir } from '../lib/rules';

export const VARIANTS_PER_RULE = 9;

/** Bumped when the variants' shape changes, so a folder written by an older bench is rebuilt. */
const VARIANT_FORMAT = 2;

/**
 * The folder of the shipped rules and their variants, written once per version of the shipped
 * rules. Each measuring process calls this before its clock starts; rewriting the folder every
 * time (with fresh random ids, as it once did) left every variant file unknown to the rule parse
 * cache, so the ten-times scan parsed them cold while the shipped-pack scan read its files from the
 * cache, and the rewrite's garbage was collected inside the timed scan.
 */
export function tenfoldRuleDir(): string {
  const source = shippedRulesDir();
  const target = join(import.meta.dirname, '.data', 'rules-10x');
  const files = findRuleFiles([source]).files;
  const texts = files.map((file) => readFileSync(file, 'utf8'));
  const stamp = hash(
    'sha256',
    JSON.stringify([VARIANT_FORMAT, VARIANTS_PER_RULE, files.map((file) => relative(source, file)), texts]),
  );
  const stampFile = join(target, '.source-stamp');
  if (existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) return target;
  // Rules that only feed a correlation raise no findings; copies of them would be live rules instead.
  const correlationOnly = loadRules([source]).correlationOnly;
  rmSync(target, { recursive: true, force: true });
  files.forEach((file, index) => {
    const out = join(target, relative(source, file));
    mkdirSync(join(out, '..'), { recursive: true });
    const text = texts[index] as string;
    writeFileSync(out, text);
    const [document] = parseAllDocuments(text);
    if (!document || Array.isArray(document)) return;
    const rule = document.toJS() as Record<string, unknown>;
    if ('correlation' in rule || correlationOnly.has(String(rule.id))) return;
    for (let i = 1; i <= VARIANTS_PER_RULE; i++) {
      const detection = rule.detection as Record<string, unknown>;
      const condition = Array.isArray(detection.condition)
        ? detection.condition.join(' or ')
        : String(detection.condition);
      const variant: Record<string, unknown> = {
        ...rule,
        id: variantId(String(rule.id), i),
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
  });
  writeFileSync(stampFile, stamp);
  return target;
}

/** A UUID-shaped id that is the same on every build: the variant's files then never change. */
function variantId(ruleId: string, variant: number): string {
  const digest = hash('sha256', `${ruleId}/variant-${variant}`);
  return [
    digest.slice(0, 8),
    digest.slice(8, 12),
    `5${digest.slice(13, 16)}`,
    `8${digest.slice(17, 20)}`,
    digest.slice(20, 32),
  ].join('-');
}
