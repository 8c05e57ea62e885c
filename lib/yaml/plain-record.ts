import * as z from '../validation';

/**
 * A YAML map keyed by names the user chooses (placeholders, destinations, selections, a test's
 * event), validated entry by entry into a null-prototype object so every name is plain data.
 *
 * Why not `z.record`: it builds its output on `{}` and therefore drops a `__proto__` key without
 * validating it, and a lookup on its output finds `constructor` or `toString` on Object.prototype.
 * Here `__proto__`, `constructor` and `toString` are names like any other. Issues keep their paths
 * (`[name, ...]`), so callers still find the line of the faulty entry.
 *
 * The key and value schemas are zod core types, so classic and mini schemas both fit. A mini
 * transform's context is the bare parse payload (no `addIssue`): issues go onto `context.issues`.
 */
export function plainRecord<Value extends z.core.$ZodType>(
  keySchema: z.core.$ZodType<string>,
  valueSchema: Value,
): z.ZodMiniType<Record<string, z.output<Value>>, unknown> {
  return z.pipe(
    z.unknown(),
    z.transform((input: unknown, context) => {
      const output: Record<string, z.output<Value>> = Object.create(null);
      if (typeof input !== 'object' || input === null || Array.isArray(input)) {
        context.issues.push({
          code: 'custom',
          message: `expected a map of names to values, not ${Array.isArray(input) ? 'a list' : input === null ? 'null' : typeof input}`,
          input,
        });
        return output;
      }
      for (const [name, value] of Object.entries(input)) {
        const key = z.safeParse(keySchema, name);
        if (!key.success) {
          for (const issue of key.error.issues) {
            context.issues.push({ code: 'custom', message: issue.message, path: [name], input: name });
          }
          continue;
        }
        const parsed = z.safeParse(valueSchema, value);
        if (!parsed.success) {
          for (const issue of parsed.error.issues) {
            const path = [name, ...issue.path.filter((p): p is string | number => typeof p !== 'symbol')];
            context.issues.push({ code: 'custom', message: issue.message, path, input: value });
          }
          continue;
        }
        // A null-prototype object has no `__proto__` setter: this stores an own property whatever the name.
        output[name] = parsed.data;
      }
      return output;
    }),
  );
}

/** The value of an own property of a plain-data map, never one inherited from Object.prototype. */
export function ownEntry<Value>(map: Readonly<Record<string, Value>>, name: string): Value | undefined {
  return Object.hasOwn(map, name) ? map[name] : undefined;
}
