import type { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import type { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { TrailwatchErrorOptions } from '../errors';
import { TrailwatchError } from '../errors';
import * as z from '../validation';
import { setupFailureKind } from './setup-failure';

/**
 * Where a secret lives. Secrets are never written in trailwatch.yml itself: the file names an
 * environment variable, an SSM SecureString parameter, or a Secrets Manager secret (optionally
 * one key of a JSON secret), and the value is fetched when first needed and kept for a while.
 */
export const secretRefSchema = z.lazy(() =>
  z.union(
    [
      z.strictObject({ env: z.string().check(z.minLength(1)) }),
      z.strictObject({ ssm: z.string().check(z.minLength(1)) }),
      z.strictObject({
        secretsmanager: z.string().check(z.minLength(1)),
        key: z.optional(z.string().check(z.minLength(1))),
      }),
    ],
    {
      error:
        'a secret is a reference: {env: NAME}, {ssm: /parameter/name} or {secretsmanager: name, key?: field}',
    },
  ),
);
export type SecretRef = z.infer<typeof secretRefSchema>;

/** Names a reference without its value, for messages and logs. */
export function describeSecretRef(ref: SecretRef): string {
  if ('env' in ref) return `environment variable ${ref.env}`;
  if ('ssm' in ref) return `SSM parameter ${ref.ssm}`;
  return `Secrets Manager secret ${ref.secretsmanager}${ref.key ? ` (key ${ref.key})` : ''}`;
}

/**
 * A secret that cannot be had: not set, of the wrong shape, or not fetched. Retryable when the
 * fetch failed for a reason that may pass (its AWS cause says so, see setupFailureKind).
 */
export class SecretError extends TrailwatchError {
  override readonly name = 'SecretError';
  constructor(message: string, options: TrailwatchErrorOptions = {}) {
    super(message, 'secret', {
      retryable: options.cause !== undefined && setupFailureKind(options.cause) === 'transient',
      ...options,
    });
  }
}

/** A secret's error is located at the reference, which every message names (never the value). */
function located(where: string): TrailwatchErrorOptions {
  return { location: { resource: where }, locationInMessage: true };
}

/**
 * How long a fetched secret is used before it is fetched again, when neither the caller nor
 * POWERTOOLS_PARAMETERS_MAX_AGE says otherwise: a rotated webhook or key is picked up within five
 * minutes by a warm Lambda container, and a burst of alerts still costs one fetch. (Powertools'
 * own default, 5 s, would fetch on nearly every invocation.)
 */
export const DEFAULT_SECRET_MAX_AGE_SECONDS = 300;

export interface SecretSources {
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly ssm?: SSMClient;
  readonly secretsManager?: SecretsManagerClient;
  /** Seconds a fetched value is kept; default POWERTOOLS_PARAMETERS_MAX_AGE, else 300. 0 fetches every time. */
  readonly maxAgeSeconds?: number;
}

/** The cache TTL: the caller's, else POWERTOOLS_PARAMETERS_MAX_AGE (whole seconds), else the default. */
export function secretMaxAgeSeconds(
  given: number | undefined,
  env: Readonly<Record<string, string | undefined>> = process.env,
): number {
  if (given !== undefined) return given;
  const text = env.POWERTOOLS_PARAMETERS_MAX_AGE?.trim();
  if (text !== undefined && /^\d+$/.test(text)) return Number(text);
  return DEFAULT_SECRET_MAX_AGE_SECONDS;
}

interface Providers {
  readonly ssm: SSMProvider;
  readonly secretsManager: SecretsProvider;
}

/**
 * Fetches SSM parameters and Secrets Manager secrets through Powertools for AWS Lambda's
 * Parameters providers, which keep each value for `maxAgeSeconds`: a warm container follows a
 * rotation without a cold start. A failed fetch is not kept: the next alert tries again. Errors
 * name the reference and the AWS error's name, never the value.
 * https://docs.powertools.aws.dev/lambda/typescript/latest/features/parameters/
 */
export class SecretResolver {
  private providers: Promise<Providers> | undefined;
  readonly maxAgeSeconds: number;

  constructor(private readonly sources: SecretSources = {}) {
    this.maxAgeSeconds = secretMaxAgeSeconds(sources.maxAgeSeconds);
  }

  /**
   * Fetches under way, by reference: alerts delivered at once on a cold container share one fetch
   * (Powertools keeps a value once it has it, not while it is being fetched). Not a cache: an entry
   * lives only until its fetch settles.
   */
  private readonly inFlight = new Map<string, Promise<string>>();

  resolve(ref: SecretRef): Promise<string> {
    const key = JSON.stringify(ref);
    const pending = this.inFlight.get(key);
    if (pending) return pending;
    const fetching = this.fetch(ref).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, fetching);
    return fetching;
  }

  private async fetch(ref: SecretRef): Promise<string> {
    const where = describeSecretRef(ref);
    if ('env' in ref) {
      const value = (this.sources.env ?? process.env)[ref.env];
      if (!value) throw new SecretError(`${where} is not set`, located(where));
      return value;
    }
    let value: unknown;
    try {
      const providers = await this.loadProviders();
      value =
        'ssm' in ref
          ? await providers.ssm.get(ref.ssm, { decrypt: true, maxAge: this.maxAgeSeconds })
          : await providers.secretsManager.get(ref.secretsmanager, { maxAge: this.maxAgeSeconds });
    } catch (error) {
      // The cause tells a throttled or unreachable service (retry later) from a missing secret.
      throw new SecretError(`cannot read ${where}: ${awsErrorName(error)}`, {
        ...located(where),
        cause: error,
      });
    }
    if (typeof value !== 'string' || value === '')
      throw new SecretError(
        'ssm' in ref ? `${where} has no value` : `${where} has no string value`,
        located(where),
      );
    if ('ssm' in ref || !ref.key) return value;
    return jsonField(value, ref.key, where);
  }

  /** The providers and their SDK clients load on first use: an ingest cold start loads neither. */
  private loadProviders(): Promise<Providers> {
    this.providers ??= Promise.all([
      import('@aws-lambda-powertools/parameters/ssm'),
      import('@aws-lambda-powertools/parameters/secrets'),
    ]).then(([{ SSMProvider }, { SecretsProvider }]) => ({
      ssm: new SSMProvider(this.sources.ssm ? { awsSdkV3Client: this.sources.ssm } : {}),
      secretsManager: new SecretsProvider(
        this.sources.secretsManager ? { awsSdkV3Client: this.sources.secretsManager } : {},
      ),
    }));
    return this.providers;
  }
}

/** One string field of a JSON secret; a parse error is named, never quoted (it would show the text). */
function jsonField(text: string, key: string, where: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new SecretError(`${where} is not JSON`, located(where));
  }
  const value = typeof parsed === 'object' && parsed !== null ? Reflect.get(parsed, key) : undefined;
  if (typeof value !== 'string' || value === '')
    throw new SecretError(`${where} has no string field ${key}`, located(where));
  return value;
}

/** Powertools wraps the SDK's error (GetParameterError, the cause): its name is what a reader needs. */
function awsErrorName(error: unknown): string {
  if (!(error instanceof Error)) return 'Error';
  return error.cause instanceof Error ? error.cause.name : error.name;
}
