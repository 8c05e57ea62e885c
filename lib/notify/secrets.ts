import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { z } from 'zod';

/**
 * Where a secret lives. Secrets are never written in trailwatch.yml itself: the file names an
 * environment variable, an SSM SecureString parameter, or a Secrets Manager secret (optionally
 * one key of a JSON secret), and the value is fetched when first needed.
 */
export const secretRefSchema = z.union(
  [
    z.strictObject({ env: z.string().min(1) }),
    z.strictObject({ ssm: z.string().min(1) }),
    z.strictObject({ secretsmanager: z.string().min(1), key: z.string().min(1).optional() }),
  ],
  {
    error:
      'a secret is a reference: {env: NAME}, {ssm: /parameter/name} or {secretsmanager: name, key?: field}',
  },
);
export type SecretRef = z.infer<typeof secretRefSchema>;

/** Names a reference without its value, for messages and logs. */
export function describeSecretRef(ref: SecretRef): string {
  if ('env' in ref) return `environment variable ${ref.env}`;
  if ('ssm' in ref) return `SSM parameter ${ref.ssm}`;
  return `Secrets Manager secret ${ref.secretsmanager}${ref.key ? ` (key ${ref.key})` : ''}`;
}

export class SecretError extends Error {
  override readonly name = 'SecretError';
}

export interface SecretSources {
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly ssm?: SSMClient;
  readonly secretsManager?: SecretsManagerClient;
}

/**
 * Fetches secrets and keeps them for the life of the process (a Lambda container), so a burst of
 * alerts costs one fetch. Errors name the reference, never the value.
 */
export class SecretResolver {
  private readonly cache = new Map<string, Promise<string>>();

  constructor(private readonly sources: SecretSources = {}) {}

  resolve(ref: SecretRef): Promise<string> {
    const key = JSON.stringify(ref);
    let pending = this.cache.get(key);
    if (!pending) {
      pending = this.fetch(ref);
      // A failure is not cached: the next alert tries again.
      pending.catch(() => this.cache.delete(key));
      this.cache.set(key, pending);
    }
    return pending;
  }

  private async fetch(ref: SecretRef): Promise<string> {
    const where = describeSecretRef(ref);
    if ('env' in ref) {
      const value = (this.sources.env ?? process.env)[ref.env];
      if (!value) throw new SecretError(`${where} is not set`);
      return value;
    }
    try {
      if ('ssm' in ref) {
        const { GetParameterCommand, SSMClient } = await import('@aws-sdk/client-ssm');
        const client = this.sources.ssm ?? new SSMClient({});
        const response = await client.send(new GetParameterCommand({ Name: ref.ssm, WithDecryption: true }));
        const value = response.Parameter?.Value;
        if (!value) throw new SecretError(`${where} has no value`);
        return value;
      }
      const { GetSecretValueCommand, SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
      const client = this.sources.secretsManager ?? new SecretsManagerClient({});
      const response = await client.send(new GetSecretValueCommand({ SecretId: ref.secretsmanager }));
      const text = response.SecretString;
      if (!text) throw new SecretError(`${where} has no string value`);
      if (!ref.key) return text;
      const value = (JSON.parse(text) as Record<string, unknown>)[ref.key];
      if (typeof value !== 'string' || value === '')
        throw new SecretError(`${where} has no string field ${ref.key}`);
      return value;
    } catch (error) {
      if (error instanceof SecretError) throw error;
      const name = error instanceof Error ? error.name : 'Error';
      throw new SecretError(`cannot read ${where}: ${name}`);
    }
  }
}
