import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { parseYamlDocuments } from '../yaml';

/**
 * `trailwatch.yml`: one file shared by the CLI and the Lambda functions. This issue reads the rule
 * settings and placeholder values; the alerting and trail sections join it later.
 */
export const CONFIG_FILE_NAME = 'trailwatch.yml';

const placeholderName = /^[A-Za-z0-9_.-]+$/;

export const configSchema = z.strictObject({
  placeholders: z
    .record(
      z.string().regex(placeholderName, 'placeholder names use letters, digits, _ . -'),
      z.array(z.string()),
    )
    .optional(),
  rules: z
    .strictObject({
      /** Rule files or folders, relative to this file. */
      paths: z.array(z.string()).optional(),
      /** Leave trailwatch's shipped pack out. */
      shipped: z.boolean().optional(),
      /** Rule ids to switch off. */
      disabled: z.array(z.string()).optional(),
    })
    .optional(),
});

export interface TrailwatchConfig {
  /** The file it came from, or undefined for the built-in defaults. */
  readonly file?: string;
  readonly placeholders: Readonly<Record<string, readonly string[]>>;
  /** Absolute paths of rule files and folders the config adds. */
  readonly rulePaths: readonly string[];
  readonly shippedRules: boolean;
  readonly disabledRules: ReadonlySet<string>;
}

export const DEFAULT_CONFIG: TrailwatchConfig = {
  placeholders: {},
  rulePaths: [],
  shippedRules: true,
  disabledRules: new Set(),
};

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
  }
}

/**
 * Loads the config: the named file (which must exist), else `trailwatch.yml` in the working
 * directory if there is one, else the defaults. Every problem is reported at once, with `file:line`.
 */
export function loadConfig(path?: string, cwd: string = process.cwd()): TrailwatchConfig {
  const file = path === undefined ? resolve(cwd, CONFIG_FILE_NAME) : resolve(cwd, path);
  if (!existsSync(file)) {
    if (path === undefined) return DEFAULT_CONFIG;
    throw new ConfigError([`${path}: no such file`]);
  }
  return parseConfig(readFileSync(file, 'utf8'), file);
}

export function parseConfig(text: string, file: string): TrailwatchConfig {
  const [document, ...extra] = parseYamlDocuments(file, text);
  if (extra.length > 0)
    throw new ConfigError([
      `${file}:${extra[0]?.line}: one YAML document expected, found ${extra.length + 1}`,
    ]);
  if (document && document.syntaxErrors.length > 0) {
    throw new ConfigError(
      document.syntaxErrors.map((error) => `${file}:${error.line}: YAML: ${error.message}`),
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
    );
  }
  const config = parsed.data;
  const base = dirname(file);
  return {
    file,
    placeholders: config.placeholders ?? {},
    rulePaths: (config.rules?.paths ?? []).map((p) => resolve(base, p)),
    shippedRules: config.rules?.shipped ?? true,
    disabledRules: new Set(config.rules?.disabled ?? []),
  };
}
