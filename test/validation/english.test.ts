import { describe, expect, it } from 'vitest';
import * as z from '../../lib/validation';

// zod/mini leaves the language to its user: without lib/validation's setting every message
// would be the bare "Invalid input", which tells a user nothing about what to fix.
describe('lib/validation', () => {
  it.each([
    ['a number where a string belongs', z.string(), 3, 'Invalid input: expected string, received number'],
    [
      'a string too short',
      z.string().check(z.minLength(2)),
      'a',
      'Too small: expected string to have >=2 characters',
    ],
    [
      'a value outside an enum',
      z.enum(['low', 'high']),
      'mid',
      'Invalid option: expected one of "low"|"high"',
    ],
    [
      'a missing key',
      z.object({ name: z.string() }),
      {},
      'Invalid input: expected string, received undefined',
    ],
  ])('says in English what is wrong with %s', (_what, schema: z.ZodMiniType, value, message) => {
    const result = schema.safeParse(value);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe(message);
  });
});
