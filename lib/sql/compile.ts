import type { Placeholders, RuleSet } from '../rules';
import { isActorField } from '../rules';
import type { ConditionNode } from '../rules/condition';
import { parseCondition, selectionsMatching } from '../rules/condition';
import { buildItem, DetectionError, detectionKeys } from '../rules/detection-item';
import type { ModifierContext } from '../rules/modifiers/types';
import type { CorrelationRule, DetectionRule } from '../rules/types';
import { ownEntry } from '../yaml/plain-record';
import { itemSql, sqlAnd, sqlNot, sqlOr } from './compile-item';
import type { Sql, SqlDialect } from './dialect';
import { SqlUnsupported } from './dialect';
import type { CompiledHunt, CorrelationFeed, RuleSql, Unsupported } from './types';

/**
 * Sigma detection rules to SQL WHERE expressions, one per rule, for any dialect. The detection is
 * read again from the rule's raw `detection:` block with lib/rules' own item builder (the same
 * modifiers, placeholders and checks as the JavaScript engine), so the two cannot drift apart in
 * what a rule means; only the last step, a matcher or SQL text, differs.
 */

/** Attribution is computed by trailwatch across records (lib/actor): no table has it as a column. */
const ACTOR_REASON =
  'it reads actor.* (the person behind the session), which trailwatch resolves from other records and is not a column of the CloudTrail table';

const FIRST_SEEN_REASON =
  'first_seen alerts on a combination never seen before: state learned in record order over a learning period, which a WHERE clause cannot express';

/**
 * Keywords search the text of what the engine evaluates: in scan and Lambda that is the record with
 * trailwatch's attribution beside it (`{...record, actor}`), so a keyword can match a person's name
 * that no column holds.
 */
const KEYWORD_REASON =
  "it searches keywords, which the JavaScript engine matches against the record's text with trailwatch's attribution (actor) in it, text no table holds";

/** A dialect that remembers which field paths the expressions read, and refuses keywords unless asked. */
function recording(dialect: SqlDialect, fields: Set<string | null>, keywords: boolean): SqlDialect {
  return {
    ...dialect,
    fieldProblem: (path) => (path === null && !keywords ? KEYWORD_REASON : dialect.fieldProblem(path)),
    anyLeaf: (path, predicate) => {
      fields.add(path);
      return dialect.anyLeaf(path, predicate);
    },
    hasLeaves: (path) => {
      fields.add(path);
      return dialect.hasLeaves(path);
    },
    absentOrNull: (path) => {
      fields.add(path);
      return dialect.absentOrNull(path);
    },
  };
}

/** A YAML map (not a list, not a scalar): a selection's AND of items. */
function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function selectionSql(name: string, definition: unknown, context: ModifierContext, dialect: SqlDialect): Sql {
  const map = (entries: Record<string, unknown>, path: (string | number)[]): Sql =>
    sqlAnd(
      Object.entries(entries).map(([key, raw]) =>
        itemSql(buildItem(key, raw, context, [...path, key]), dialect),
      ),
    );
  if (Array.isArray(definition)) {
    return sqlOr(
      definition.map((element: unknown, index) =>
        isMap(element)
          ? map(element, [name, index])
          : itemSql(buildItem(null, element, context, [name, index]), dialect),
      ),
    );
  }
  if (isMap(definition)) return map(definition, [name]);
  return itemSql(buildItem(null, definition, context, [name]), dialect);
}

function conditionSql(node: ConditionNode, selections: ReadonlyMap<string, Sql>): Sql {
  switch (node.kind) {
    case 'ref': {
      const sql = selections.get(node.name);
      if (sql === undefined)
        throw new SqlUnsupported(`the condition names '${node.name}', which is not a selection`);
      return sql;
    }
    case 'quantified': {
      const names = selectionsMatching(node.pattern, [...selections.keys()]);
      if (names.length === 0) throw new SqlUnsupported(`'${node.pattern}' matches no selection`);
      const parts = names.flatMap((name) => {
        const sql = selections.get(name);
        return sql === undefined ? [] : [sql];
      });
      return node.quantifier === 'all' ? sqlAnd(parts) : sqlOr(parts);
    }
    case 'and':
      return sqlAnd(node.operands.map((operand) => conditionSql(operand, selections)));
    case 'or':
      return sqlOr(node.operands.map((operand) => conditionSql(operand, selections)));
    case 'not':
      return sqlNot(conditionSql(node.operand, selections));
  }
}

/** One detection rule's WHERE expression, or throws SqlUnsupported with the reason. */
export function compileRuleWhere(
  rule: Pick<DetectionRule, 'detection' | 'firstSeen'>,
  dialect: SqlDialect,
  placeholders: Placeholders = {},
  /**
   * `recordTextKeywords`: compile keywords as a search of the record's own JSON text, which is what
   * `rule.match(record)` does without attribution (`rules test`); hunt leaves it off (see KEYWORD_REASON).
   */
  options: { readonly recordTextKeywords?: boolean } = {},
): { where: Sql; fields: (string | null)[] } {
  if (rule.firstSeen !== undefined) throw new SqlUnsupported(FIRST_SEEN_REASON);
  if (detectionKeys(rule.detection).actor) throw new SqlUnsupported(ACTOR_REASON);
  const fields = new Set<string | null>();
  const recorder = recording(dialect, fields, options.recordTextKeywords === true);
  const selections = new Map<string, Sql>();
  for (const [name, definition] of Object.entries(rule.detection)) {
    if (name === 'condition' || name === 'timeframe') continue;
    const context: ModifierContext = {
      placeholder: (key) => ownEntry(placeholders, key),
      warn: () => {},
      // As the loader compiles rules for scan: an impossible field is read (as absent), not refused.
      strictFields: false,
    };
    try {
      selections.set(name, selectionSql(name, definition, context, recorder));
    } catch (error) {
      if (error instanceof DetectionError) throw new SqlUnsupported(`selection '${name}': ${error.message}`);
      if (error instanceof SqlUnsupported) throw new SqlUnsupported(`selection '${name}': ${error.message}`);
      throw error;
    }
  }
  const condition = rule.detection.condition;
  const conditions = typeof condition === 'string' ? [condition] : Array.isArray(condition) ? condition : [];
  const parts = conditions.map((text: unknown) => {
    if (typeof text !== 'string') throw new SqlUnsupported('the condition is not a string');
    return conditionSql(parseCondition(text), selections);
  });
  if (parts.length === 0) throw new SqlUnsupported('the detection has no condition');
  return { where: sqlOr(parts), fields: [...fields] };
}

function correlationFeed(
  correlation: CorrelationRule,
  compiled: ReadonlySet<string>,
  titles: ReadonlyMap<string, string>,
): CorrelationFeed | Unsupported {
  const unsupported = (reason: string): Unsupported => ({
    ruleId: correlation.meta.id,
    title: correlation.meta.title,
    reason,
  });
  if (correlation.type !== 'event_count' && correlation.type !== 'value_count') {
    return unsupported(
      `a ${correlation.type} correlation is not run by hunt (event_count and value_count are)`,
    );
  }
  const read = [
    ...correlation.groupBy,
    ...(correlation.type === 'value_count' ? [String(correlation.condition.field)] : []),
  ];
  const actorField = read.find(isActorField);
  if (actorField !== undefined) return unsupported(`it groups or counts by ${actorField}: ${ACTOR_REASON}`);
  const missing = correlation.ruleIds.find((id) => !compiled.has(id));
  if (missing !== undefined) {
    return unsupported(`it counts '${titles.get(missing) ?? missing}', which does not compile to SQL`);
  }
  return {
    ruleId: correlation.meta.id,
    title: correlation.meta.title,
    level: correlation.meta.level,
    type: correlation.type,
    ruleIds: correlation.ruleIds,
  };
}

/**
 * Every detection rule of the set to SQL for the dialect; the rules SQL cannot express as the
 * JavaScript engine does are listed with the reason instead. `placeholders` are trailwatch.yml's,
 * the ones the set was loaded with.
 */
export function compileHunt(
  set: RuleSet,
  dialect: SqlDialect,
  placeholders: Placeholders = {},
): CompiledHunt {
  const rules: RuleSql[] = [];
  const unsupported: Unsupported[] = [];
  for (const rule of set.detections) {
    try {
      const { where, fields } = compileRuleWhere(rule, dialect, placeholders);
      rules.push({
        ruleId: rule.meta.id,
        title: rule.meta.title,
        level: rule.meta.level,
        where,
        fields,
        correlationOnly: set.correlationOnly.has(rule.meta.id),
      });
    } catch (error) {
      if (!(error instanceof SqlUnsupported)) throw error;
      unsupported.push({ ruleId: rule.meta.id, title: rule.meta.title, reason: error.message });
    }
  }
  const compiled = new Set(rules.map((rule) => rule.ruleId));
  const titles = new Map(set.detections.map((rule) => [rule.meta.id, rule.meta.title]));
  const correlations: CorrelationFeed[] = [];
  for (const correlation of set.correlations) {
    const feed = correlationFeed(correlation, compiled, titles);
    if ('reason' in feed) unsupported.push(feed);
    else correlations.push(feed);
  }
  return { dialect: dialect.name, rules, unsupported, correlations };
}
