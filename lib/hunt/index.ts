/** `trailwatch hunt`: compiled rules run on a SQL engine (lib/sql compiles, these engines run). */
export { huntAlerts, javascriptSubset } from './alerts';
export { DuckdbHunt, duckdbEngine, huntFields, runDuckdbHunt } from './duckdb';
export { DEFAULT_HUNT_ENGINE, HUNT_ENGINES } from './engines';
export type { EngineFlag, HuntEngine, HuntMatch, HuntResult, HuntRunOptions } from './types';
