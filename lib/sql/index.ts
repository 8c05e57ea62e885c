/**
 * Sigma rules compiled to SQL: the compiler (`compileHunt`), the dialect interface every engine
 * implements (./dialect), and the DuckDB dialect. Engines that run the queries live in lib/hunt
 * (DuckDB) and lib/athena (Athena).
 */
export { compileHunt, compileRuleWhere } from './compile';
export type { GlobPart, HuntScope, LeafKind, LeafSql, Sql, SqlDialect } from './dialect';
export { SqlUnsupported } from './dialect';
export type { CompiledHunt, CorrelationFeed, RuleSql, Unsupported } from './types';
