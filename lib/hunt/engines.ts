import { athenaEngine } from '../athena/engine';
import { duckdbEngine } from './duckdb';
import type { HuntEngine } from './types';

/**
 * The SQL engines `trailwatch hunt --engine` runs on, by name. Adding one: a file exporting a
 * HuntEngine (its dialect and its run) and a line here. DuckDB is the default: embedded, offline.
 */
export const HUNT_ENGINES: ReadonlyMap<string, HuntEngine> = new Map<string, HuntEngine>([
  [duckdbEngine.name, duckdbEngine],
  [athenaEngine.name, athenaEngine],
]);

export const DEFAULT_HUNT_ENGINE = duckdbEngine.name;
