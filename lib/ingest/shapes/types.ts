import type * as z from '../../validation';

export type JsonObject = Record<string, unknown>;

export interface S3ObjectRef {
  readonly bucket: string;
  /** The key as stored in S3 (already URL-decoded where the notification encodes it). */
  readonly key: string;
  readonly size?: number;
}

/**
 * What a shape makes of a value. `pointer` says where, relative to the value (`Records[2]`, `detail`).
 * Shapes return values, never throw: a bad envelope is a `problem`, and the rest of the batch goes on.
 */
export type Expansion =
  | { readonly kind: 'record'; readonly value: JsonObject; readonly pointer: string }
  | { readonly kind: 'value'; readonly value: unknown; readonly pointer: string }
  | { readonly kind: 'json'; readonly text: string; readonly pointer: string }
  | { readonly kind: 's3-object'; readonly ref: S3ObjectRef; readonly pointer: string }
  | { readonly kind: 'skip'; readonly reason: string; readonly pointer: string }
  | { readonly kind: 'problem'; readonly message: string; readonly pointer: string };

/**
 * One way CloudTrail data can arrive. `matches` is a cheap property test run on every value, so it
 * must not allocate; `expand` validates the envelope (zod) and says what it holds.
 */
export interface DeliveryShape {
  readonly name: string;
  matches(value: JsonObject): boolean;
  expand(value: JsonObject): readonly Expansion[];
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Validates an envelope; on failure, one problem that names the shape and every wrong field. */
export function parseEnvelope<T>(
  schema: z.ZodMiniType<T>,
  value: unknown,
  shapeName: string,
): { ok: true; data: T } | { ok: false; problem: Expansion } {
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, data: result.data };
  const fields = result.error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
  return {
    ok: false,
    problem: { kind: 'problem', message: `malformed ${shapeName}: ${fields}`, pointer: '' },
  };
}
