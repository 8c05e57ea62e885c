import * as z from '../validation';
import { plainRecord } from '../yaml/plain-record';

/** An AWS account id: exactly 12 digits (https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-identifiers.html). */
const ACCOUNT_ID = /^\d{12}$/;

/** The one key of `accounts:` that is not an account id: whether to ask AWS Organizations too. */
export const ORGANIZATIONS_KEY = 'organizations';

/** The longest name kept: Organizations allows 50 characters; a config name is cut to the same. */
export const ACCOUNT_NAME_MAX = 50;

/** What `accounts:` in trailwatch.yml says: names by account id, and whether Organizations fills in the rest. */
export interface AccountsConfig {
  readonly names: Readonly<Record<string, string>>;
  readonly organizations: boolean;
}

/**
 * `accounts: {"111122223333": prod, organizations: true}`. Ids are map keys, so YAML reads an
 * unquoted id as a number and drops a leading zero: such a key, fewer than 12 digits, is reported
 * with the quoting that keeps it.
 */
export const accountsSchema = z.lazy(() =>
  z.pipe(
    plainRecord(z.string(), z.unknown()),
    z.transform((map: Record<string, unknown>, context): AccountsConfig => {
      const names: Record<string, string> = Object.create(null);
      let organizations = false;
      for (const [key, value] of Object.entries(map)) {
        if (key === ORGANIZATIONS_KEY) {
          if (typeof value === 'boolean') organizations = value;
          else
            context.issues.push({
              code: 'custom',
              path: [key],
              message: 'organizations is true or false',
              input: value,
            });
          continue;
        }
        if (!ACCOUNT_ID.test(key)) {
          const hint = /^\d{1,11}$/.test(key)
            ? `; an id with leading zeros must be quoted, e.g. '${key.padStart(12, '0')}'`
            : '';
          context.issues.push({
            code: 'custom',
            path: [key],
            message: `'${key}' is not a 12-digit account id${hint} (or 'organizations: true')`,
            input: key,
          });
          continue;
        }
        if (typeof value !== 'string' || value.trim() === '') {
          context.issues.push({
            code: 'custom',
            path: [key],
            message: 'an account name is non-empty text',
            input: value,
          });
          continue;
        }
        names[key] = value.trim().slice(0, ACCOUNT_NAME_MAX);
      }
      return { names, organizations };
    }),
  ),
);
