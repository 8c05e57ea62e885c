import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { TrailwatchError } from '../errors';
import { NOTIFIERS } from '../notify';
import type { Level } from '../rules';
import { durationMs, LEVELS } from '../rules';
import type { TrailSettings } from '../trail/desired';
import { trailSchema } from '../trail/desired';
import * as z from '../validation';
import { parseYamlDocuments } from '../yaml';
import { plainRecord } from '../yaml/plain-record';
import type { AccountsConfig } from './accounts';
import { accountsSchema } from './accounts';

export type { AccountsConfig } from './accounts';

/**
 * `trailwatch.yml`: one file shared by the CLI and the Lambda functions. This issue reads the rule
 * settings and placeholder values; the alerting and trail sections join it later.
 */
export const CONFIG_FILE_NAME = 'trailwatch.yml';

const placeholderName = /^[A-Za-z0-9_.-]+$/;

/**
 * Placeholders whose values trailwatch can find itself when set to `auto`: the roles IAM says are
 * administrator-equivalent (`trailwatch roles`). The CLI reads IAM once per run; in Lambda the
 * scheduled health run refreshes the list and the ingest functions read it.
 */
export const AUTO_PLACEHOLDERS: readonly string[] = ['wide_permission_roles'];
export const AUTO_VALUE = 'auto';

/**
 * Values found for `auto` placeholders in this process, by config file: set once per CLI run,
 * before any command reads its config (commands build their own option objects, so the values
 * travel here rather than through them).
 */
const resolvedAuto = new Map<string, Readonly<Record<string, readonly string[]>>>();

export function setResolvedAutoPlaceholders(
  file: string,
  values: Readonly<Record<string, readonly string[]>>,
): void {
  resolvedAuto.set(resolve(file), values);
}

export function clearResolvedAutoPlaceholders(): void {
  resolvedAuto.clear();
}

/** The config with its `auto` placeholders filled in; names not given stay empty (they match nothing). */
export function withAutoPlaceholders(
  config: TrailwatchConfig,
  values: Readonly<Record<string, readonly string[]>>,
): TrailwatchConfig {
  const names = config.autoPlaceholders ?? [];
  if (names.length === 0) return config;
  // Null prototype: a placeholder named `__proto__` is a key like any other, never the prototype.
  const filled: Record<string, readonly string[]> = Object.assign(Object.create(null), config.placeholders);
  for (const name of names)
    if (Object.hasOwn(values, name))
      Object.defineProperty(filled, name, {
        value: values[name] ?? [],
        enumerable: true,
        writable: true,
        configurable: true,
      });
  return { ...config, placeholders: filled };
}

const duration = z.lazy(() =>
  z.string().check(z.regex(/^(\d+)\s*(s|m|h|d|w)$/, 'a duration such as 30s, 10m, 1h or 7d')),
);
const accountId = z.lazy(() => z.string().check(z.regex(/^\d{12}$/, 'a 12-digit account id')));
const day = z.lazy(() =>
  z.string().check(z.refine((text) => !Number.isNaN(Date.parse(text)), 'a date such as 2027-01-31')),
);

/** What a route or a suppression applies to; every listed key must match, any value of a list. */
const routeMatch = z.lazy(() =>
  z.strictObject({
    rules: z.optional(z.array(z.string())),
    levels: z.optional(z.array(z.enum(LEVELS))),
    tags: z.optional(z.array(z.string())),
    accounts: z.optional(z.array(accountId)),
  }),
);

const suppressionMatch = z.lazy(() =>
  z
    .strictObject({
      rules: z.optional(z.array(z.string())),
      /** Principal ARNs, `*` and `?` allowed. */
      principals: z.optional(z.array(z.string())),
      accounts: z.optional(z.array(accountId)),
      eventNames: z.optional(z.array(z.string())),
      sourceIPs: z.optional(z.array(z.string())),
    })
    .check(
      z.refine((match) => Object.values(match).some((list) => list !== undefined && list.length > 0), {
        error: 'a suppression must match on something (rules, principals, accounts, eventNames or sourceIPs)',
      }),
    ),
);

export const configSchema = z.lazy(() =>
  z.strictObject({
    // Maps keyed by the user's names are plain data: `__proto__` or `constructor` is a name like any other.
    placeholders: z.optional(
      plainRecord(
        z.string().check(z.regex(placeholderName, 'placeholder names use letters, digits, _ . -')),
        z.union([z.array(z.string()), z.literal(AUTO_VALUE)]),
      ),
    ),
    rules: z.optional(
      z.strictObject({
        /** Rule files or folders, relative to this file. */
        paths: z.optional(z.array(z.string())),
        /** Leave trailwatch's shipped pack out. */
        shipped: z.optional(z.boolean()),
        /** Rule ids to switch off. */
        disabled: z.optional(z.array(z.string())),
      }),
    ),
    /** Named destinations; each is validated by its notifier's own schema. */
    destinations: z.optional(
      plainRecord(
        z.string().check(z.regex(/^[A-Za-z0-9_.-]+$/, 'destination names use letters, digits, _ . -')),
        z.looseObject({ type: z.string() }),
      ),
    ),
    routing: z.optional(
      z.strictObject({
        /** Where an alert goes when no route matched it, by level. */
        defaults: z.optional(z.partialRecord(z.enum(LEVELS), z.array(z.string()))),
        routes: z.optional(
          z.array(
            z.strictObject({ match: routeMatch, destinations: z.array(z.string()).check(z.minLength(1)) }),
          ),
        ),
      }),
    ),
    suppressions: z.optional(
      z.array(
        z.strictObject({
          match: suppressionMatch,
          reason: z.string().check(z.minLength(1, 'say why')),
          owner: z.string().check(z.minLength(1, 'say who owns it')),
          expires: day,
        }),
      ),
    ),
    dedup: z.optional(
      z.strictObject({ window: z.optional(duration), fields: z.optional(z.array(z.string())) }),
    ),
    /** The trail the bootstrap creates and the health check guards. */
    trail: z.optional(trailSchema),
    /** Account names shown next to ids: `{"111122223333": prod, organizations: true}`. */
    accounts: z.optional(accountsSchema),
    state: z.optional(
      z.discriminatedUnion('backend', [
        z.strictObject({ backend: z.literal('memory') }),
        z.strictObject({
          backend: z.literal('dynamodb'),
          table: z.string().check(z.minLength(3)),
          region: z.optional(z.string()),
          endpoint: z.optional(z.string()),
        }),
      ]),
    ),
  }),
);

export interface RouteConfig {
  readonly match: z.infer<typeof routeMatch>;
  readonly destinations: readonly string[];
}

export interface SuppressionConfig {
  readonly match: z.infer<typeof suppressionMatch>;
  readonly reason: string;
  readonly owner: string;
  /** End of the `expires` day, epoch milliseconds (a date alone means through that day, UTC). */
  readonly expiresAt: number;
  readonly expires: string;
  /** Where it is written, for messages. */
  readonly line: number;
}

export type StateConfig =
  | { readonly backend: 'memory' }
  | {
      readonly backend: 'dynamodb';
      readonly table: string;
      readonly region?: string | undefined;
      readonly endpoint?: string | undefined;
    };

/** The default dedup window when neither the rule nor the config sets one. */
export const DEFAULT_DEDUP_WINDOW_MS = 3_600_000;

export interface TrailwatchConfig {
  /** The file it came from, or undefined for the built-in defaults. */
  readonly file?: string;
  readonly placeholders: Readonly<Record<string, readonly string[]>>;
  /** Placeholders set to `auto` (see AUTO_PLACEHOLDERS): empty in `placeholders` until resolved. */
  readonly autoPlaceholders?: readonly string[];
  /** Absolute paths of rule files and folders the config adds. */
  readonly rulePaths: readonly string[];
  readonly shippedRules: boolean;
  readonly disabledRules: ReadonlySet<string>;
  /** The line of each `rules.disabled` entry, for messages about it. */
  readonly disabledRuleLines?: ReadonlyMap<string, number>;
  /** Destination name to its raw settings (validated). */
  readonly destinations: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly routes: readonly RouteConfig[];
  readonly defaultRoutes: Readonly<Partial<Record<Level, readonly string[]>>>;
  readonly suppressions: readonly SuppressionConfig[];
  readonly dedupWindowMs: number;
  readonly dedupFields?: readonly string[];
  readonly state: StateConfig;
  readonly trail?: TrailSettings;
  /** Names shown next to account ids; absent when trailwatch.yml has no `accounts:`. */
  readonly accounts?: AccountsConfig;
  /** Non-fatal findings: expired suppressions and the like, each with file:line. */
  readonly warnings: readonly string[];
}

export const DEFAULT_CONFIG: TrailwatchConfig = {
  placeholders: {},
  rulePaths: [],
  shippedRules: true,
  disabledRules: new Set(),
  destinations: {},
  routes: [],
  defaultRoutes: {},
  suppressions: [],
  dedupWindowMs: DEFAULT_DEDUP_WINDOW_MS,
  state: { backend: 'memory' },
  warnings: [],
};

/**
 * trailwatch.yml cannot be used: every problem at once, each its own line starting with
 * `file:line:`. The file is the error's location; the message already names it on every line.
 */
export class ConfigError extends TrailwatchError {
  override readonly name = 'ConfigError';
  constructor(
    readonly problems: readonly string[],
    file?: string,
  ) {
    super(problems.join('\n'), 'config', {
      ...(file === undefined ? {} : { location: { file } }),
      locationInMessage: true,
    });
  }
}

/**
 * Loads the config: the named file (which must exist), else `trailwatch.yml` in the working
 * directory if there is one, else the defaults. Every problem is reported at once, with `file:line`.
 */
export function loadConfig(
  path?: string,
  cwd: string = process.cwd(),
  now: number = Date.now(),
): TrailwatchConfig {
  const file = path === undefined ? resolve(cwd, CONFIG_FILE_NAME) : resolve(cwd, path);
  if (!existsSync(file)) {
    if (path === undefined) return DEFAULT_CONFIG;
    throw new ConfigError([`${path}: no such file`], path);
  }
  return parseConfig(readFileSync(file, 'utf8'), file, now);
}

export function parseConfig(text: string, file: string, now: number = Date.now()): TrailwatchConfig {
  const [document, ...extra] = parseYamlDocuments(file, text);
  if (extra.length > 0)
    throw new ConfigError(
      [`${file}:${extra[0]?.line}: one YAML document expected, found ${extra.length + 1}`],
      file,
    );
  if (document && document.syntaxErrors.length > 0) {
    throw new ConfigError(
      document.syntaxErrors.map((error) => `${file}:${error.line}: YAML: ${error.message}`),
      file,
    );
  }
  const parsed = configSchema.safeParse(document?.value ?? {});
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
        const line = document ? document.lineOf(path) : 1;
        return `${file}:${line}: ${path.join('.') || '(top level)'}: ${issue.message}`;
      }),
      file,
    );
  }
  const config = parsed.data;
  const lineOf = (path: readonly (string | number)[]): number => (document ? document.lineOf(path) : 1);
  const problems = [
    ...checkDestinations(config, file, lineOf),
    ...checkReferences(config, file, lineOf),
    ...checkAutoPlaceholders(config, file, lineOf),
  ];
  if (problems.length > 0) throw new ConfigError(problems, file);
  const base = dirname(file);
  const suppressions = (config.suppressions ?? []).map(
    (suppression, index): SuppressionConfig => ({
      match: suppression.match,
      reason: suppression.reason,
      owner: suppression.owner,
      expires: suppression.expires,
      expiresAt: endOfDay(suppression.expires),
      line: lineOf(['suppressions', index]),
    }),
  );
  const warnings = suppressions
    .filter((suppression) => suppression.expiresAt <= now)
    .map(
      (suppression) =>
        `${file}:${suppression.line}: suppression expired on ${suppression.expires} (owner ${suppression.owner}: ${suppression.reason}); it no longer applies`,
    );
  // Null prototype: a placeholder named `__proto__` is a key like any other, never the prototype.
  const placeholders: Record<string, readonly string[]> = Object.create(null);
  const autoPlaceholders: string[] = [];
  for (const [name, value] of Object.entries(config.placeholders ?? {})) {
    if (value === AUTO_VALUE) autoPlaceholders.push(name);
    Object.defineProperty(placeholders, name, {
      value: value === AUTO_VALUE ? [] : value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  const loaded: TrailwatchConfig = {
    file,
    placeholders,
    ...(autoPlaceholders.length > 0 ? { autoPlaceholders } : {}),
    rulePaths: (config.rules?.paths ?? []).map((p) => resolve(base, p)),
    shippedRules: config.rules?.shipped ?? true,
    disabledRules: new Set(config.rules?.disabled ?? []),
    disabledRuleLines: new Map(
      (config.rules?.disabled ?? []).map((id, index) => [id, lineOf(['rules', 'disabled', index])]),
    ),
    destinations: config.destinations ?? {},
    routes: config.routing?.routes ?? [],
    defaultRoutes: config.routing?.defaults ?? {},
    suppressions,
    dedupWindowMs: config.dedup?.window ? durationMs(config.dedup.window) : DEFAULT_DEDUP_WINDOW_MS,
    ...(config.dedup?.fields ? { dedupFields: config.dedup.fields } : {}),
    state: config.state ?? { backend: 'memory' },
    ...(config.trail ? { trail: config.trail } : {}),
    ...(config.accounts ? { accounts: config.accounts } : {}),
    warnings,
  };
  return withAutoPlaceholders(loaded, resolvedAuto.get(resolve(file)) ?? {});
}

/** A date alone (2027-01-31) means through that day, UTC; a full timestamp means that instant. */
function endOfDay(text: string): number {
  const time = Date.parse(text);
  return /^\d{4}-\d{2}-\d{2}$/.test(text.trim()) ? time + 86_400_000 : time;
}

type ConfigData = z.infer<typeof configSchema>;

/** Each destination against its notifier's schema, so a typo in a Slack setting says where it is. */
function checkDestinations(
  config: ConfigData,
  file: string,
  lineOf: (path: (string | number)[]) => number,
): string[] {
  const problems: string[] = [];
  for (const [name, settings] of Object.entries(config.destinations ?? {})) {
    const notifier = NOTIFIERS.get(settings.type);
    if (!notifier) {
      problems.push(
        `${file}:${lineOf(['destinations', name, 'type'])}: destinations.${name}.type: unknown type '${settings.type}' (known: ${[...NOTIFIERS.keys()].join(', ')})`,
      );
      continue;
    }
    const parsed = notifier.configSchema.safeParse(settings);
    if (parsed.success) continue;
    for (const issue of parsed.error.issues) {
      const path = [
        'destinations',
        name,
        ...issue.path.filter((p): p is string | number => typeof p !== 'symbol'),
      ];
      problems.push(`${file}:${lineOf(path)}: ${path.join('.')}: ${issue.message}`);
    }
  }
  return problems;
}

/** `auto` only where trailwatch knows how to find the values. */
function checkAutoPlaceholders(
  config: ConfigData,
  file: string,
  lineOf: (path: (string | number)[]) => number,
): string[] {
  return Object.entries(config.placeholders ?? {})
    .filter(([name, value]) => value === AUTO_VALUE && !AUTO_PLACEHOLDERS.includes(name))
    .map(
      ([name]) =>
        `${file}:${lineOf(['placeholders', name])}: placeholders.${name}: 'auto' is known only for ${AUTO_PLACEHOLDERS.join(', ')}; list the values`,
    );
}

/** Every destination a route names must be defined. */
function checkReferences(
  config: ConfigData,
  file: string,
  lineOf: (path: (string | number)[]) => number,
): string[] {
  const defined = new Set(Object.keys(config.destinations ?? {}));
  const problems: string[] = [];
  const check = (name: string, path: (string | number)[]): void => {
    if (!defined.has(name)) {
      problems.push(
        `${file}:${lineOf(path)}: ${path.join('.')}: destination '${name}' is not defined under destinations`,
      );
    }
  };
  for (const [i, route] of (config.routing?.routes ?? []).entries()) {
    for (const [j, name] of route.destinations.entries())
      check(name, ['routing', 'routes', i, 'destinations', j]);
  }
  for (const [level, names] of Object.entries(config.routing?.defaults ?? {})) {
    for (const [j, name] of (names ?? []).entries()) check(name, ['routing', 'defaults', level, j]);
  }
  return problems;
}
