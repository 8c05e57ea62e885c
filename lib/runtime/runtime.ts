import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SessionStore } from '../actor';
import { ActorResolver, DynamoSessionStore, MemorySessionStore } from '../actor';
import type { TrailwatchConfig } from '../config';
import { DEFAULT_CONFIG, loadConfig, withAutoPlaceholders } from '../config';
import type { TrailwatchErrorOptions } from '../errors';
import { TrailwatchError } from '../errors';
import type { S3Settings } from '../ingest';
import type { NotifierContext } from '../notify';
import { AlertPipeline, createDestinations, createStateStore, defaultNotifierContext } from '../pipeline';
import type { RulePack, RuleSet } from '../rules';
import { isRulePack, loadRules, RuleEngine, shippedRulesDir } from '../rules';
import type { StateStore } from '../state';

/** What one Lambda container builds once, at cold start, and reuses for every invocation. */
export interface Runtime {
  readonly config: TrailwatchConfig;
  readonly rules: RuleSet;
  readonly engine: RuleEngine;
  readonly pipeline: AlertPipeline;
  /** How log objects are read; the default client in Lambda. */
  readonly s3: S3Settings;
  /** Attribution: sessions remembered in the state table (DynamoDB) across invocations. */
  readonly actors: ActorResolver;
}

export class ColdStartError extends TrailwatchError {
  override readonly name = 'ColdStartError';
  constructor(message: string, options: TrailwatchErrorOptions = {}) {
    super(message, 'cold-start', options);
  }
}

/** Deployment settings, set by serverless.yml as environment variables. */
export interface RuntimeEnvironment {
  /** The bundled trailwatch.yml; absent means defaults plus what the deployment sets below. */
  readonly TRAILWATCH_CONFIG?: string;
  readonly TRAILWATCH_RULES_DIR?: string;
  /** The shipped pack pre-parsed at build time (dist/rules-pack.json): used instead of TRAILWATCH_RULES_DIR when present. */
  readonly TRAILWATCH_RULES_PACK?: string;
  readonly TRAILWATCH_STATE_TABLE?: string;
  /** The alert topic created by the stack: an `email` destination when the config names none. */
  readonly TRAILWATCH_ALERT_TOPIC_ARN?: string;
  /** A Secrets Manager secret holding the Slack webhook URL: a `slack` destination when the config names none. */
  readonly TRAILWATCH_SLACK_SECRET?: string;
  /** An S3-compatible endpoint (path-style) for reading log objects, for local stacks and benchmarks. */
  readonly TRAILWATCH_S3_ENDPOINT?: string;
  readonly [name: string]: string | undefined;
}

/**
 * The deployment's destinations when trailwatch.yml defines none: the stack's alert topic (email)
 * and, if a Slack secret is named, Slack; critical, high and medium alerts go to both.
 */
export function withDeploymentDefaults(config: TrailwatchConfig, env: RuntimeEnvironment): TrailwatchConfig {
  // The stack's table replaces the configured name only: trailwatch.yml's region and endpoint stay.
  const state = env.TRAILWATCH_STATE_TABLE
    ? ({
        ...(config.state.backend === 'dynamodb' ? config.state : {}),
        backend: 'dynamodb',
        table: env.TRAILWATCH_STATE_TABLE,
      } as const)
    : config.state;
  if (Object.keys(config.destinations).length > 0) return { ...config, state };
  const destinations: Record<string, Record<string, unknown>> = {};
  if (env.TRAILWATCH_ALERT_TOPIC_ARN)
    destinations.email = { type: 'email', topic_arn: env.TRAILWATCH_ALERT_TOPIC_ARN };
  if (env.TRAILWATCH_SLACK_SECRET)
    destinations.slack = { type: 'slack', webhook_url: { secretsmanager: env.TRAILWATCH_SLACK_SECRET } };
  const names = Object.keys(destinations);
  return {
    ...config,
    state,
    destinations,
    defaultRoutes: { critical: names, high: names, medium: names, ...config.defaultRoutes },
  };
}

export interface RuntimeOverrides {
  /** Where attribution remembers sessions; default: the state table, or memory without one. */
  readonly sessions?: SessionStore;
  readonly state?: StateStore;
  readonly notifier?: Partial<NotifierContext>;
  readonly s3?: S3Settings;
  /** Values for the config's `auto` placeholders (the stored wide-role list). */
  readonly placeholders?: Readonly<Record<string, readonly string[]>>;
}

/**
 * Reads the config and compiles the rules. Any problem here is thrown: a Lambda that cannot tell
 * good from bad must fail loudly at cold start rather than let events through unexamined.
 */
export function createRuntime(
  env: RuntimeEnvironment = process.env,
  overrides: RuntimeOverrides = {},
): Runtime {
  let config: TrailwatchConfig;
  try {
    const file = env.TRAILWATCH_CONFIG ?? join(process.cwd(), 'trailwatch.yml');
    config = withDeploymentDefaults(existsSync(file) ? loadConfig(file) : DEFAULT_CONFIG, env);
  } catch (error) {
    throw new ColdStartError(`trailwatch.yml is invalid:\n${(error as Error).message}`);
  }
  if (overrides.placeholders) config = withAutoPlaceholders(config, overrides.placeholders);
  const packFile = config.shippedRules ? env.TRAILWATCH_RULES_PACK : undefined;
  const pack = packFile && existsSync(packFile) ? readRulePack(packFile) : undefined;
  const shipped = config.shippedRules && !pack ? [env.TRAILWATCH_RULES_DIR ?? shippedRulesDir()] : [];
  const paths = [...shipped, ...config.rulePaths];
  const rules = loadRules(paths, { placeholders: config.placeholders, ...(pack ? { pack } : {}) });
  if (rules.errors.length > 0) {
    throw new ColdStartError(
      `${rules.errors.length} rule(s) failed to load:\n${rules.errors.map((e) => e.toString()).join('\n')}`,
    );
  }
  const detections = rules.detections.filter((rule) => !config.disabledRules.has(rule.meta.id));
  if (detections.length === 0)
    throw new ColdStartError(`no rules loaded from ${[packFile, ...paths].filter(Boolean).join(', ')}`);
  const active = { ...rules, detections };
  // The configured table with its region and endpoint (trailwatch.yml's `state:`).
  const state = overrides.state ?? createStateStore(config);
  return {
    config,
    rules: active,
    engine: new RuleEngine(detections),
    pipeline: new AlertPipeline({
      config,
      rules: active,
      state,
      destinations: createDestinations(config, defaultNotifierContext(overrides.notifier)),
    }),
    s3: overrides.s3 ?? (env.TRAILWATCH_S3_ENDPOINT ? { endpoint: env.TRAILWATCH_S3_ENDPOINT } : {}),
    // A caller that brings its own state store (a test, a local run) keeps sessions in memory too.
    actors: new ActorResolver(
      overrides.sessions ?? (overrides.state ? new MemorySessionStore() : createSessionStore(config)),
    ),
  };
}

/** The pre-compiled pack; one of another format (an older build's) fails the cold start. */
function readRulePack(file: string): RulePack {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ColdStartError(
      `${file}: cannot read the rule pack: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (!isRulePack(value))
    throw new ColdStartError(
      `${file}: not a rule pack of this trailwatch version (rebuild it with npm run build)`,
    );
  return value;
}

/**
 * Sessions live as long as their credentials, in the same table as dedup state: an AssumeRole seen
 * by one invocation attributes the calls that arrive in later ones.
 */
export function createSessionStore(config: TrailwatchConfig): SessionStore {
  const state = config.state;
  if (state.backend === 'memory') return new MemorySessionStore();
  return new DynamoSessionStore({
    table: state.table,
    ...(state.region === undefined ? {} : { region: state.region }),
    ...(state.endpoint === undefined ? {} : { endpoint: state.endpoint }),
  });
}
