import { formatLocation, TrailwatchError } from '../errors';

/** Where in a rule file something is, for messages a person can act on (`rules/x.yml:12`). */
export interface RuleLocation {
  readonly file: string;
  readonly line?: number;
  readonly column?: number;
}

/** Rule locations print as every other location does (`rules/x.yml:12:3`). */
export { formatLocation };

/**
 * What kind of problem a RuleError is, so callers branch on it rather than on message text:
 * - `yaml`: the file is not YAML;
 * - `schema`: a key of the rule document has the wrong type or value (level, date, title…);
 * - `logsource`: the rule reads another log source;
 * - `selection`: a selection of `detection:` does not compile (field, modifier, value);
 * - `condition`: the condition does not parse, or is missing;
 * - `unknown-selection`: the condition names a selection the rule does not define;
 * - `first-seen`, `correlation`: those extensions' own checks;
 * - `duplicate-id`: another loaded rule has the id;
 * - `file`: the rule file could not be found or read.
 */
export type RuleErrorCode =
  | 'yaml'
  | 'schema'
  | 'logsource'
  | 'selection'
  | 'condition'
  | 'unknown-selection'
  | 'first-seen'
  | 'correlation'
  | 'duplicate-id'
  | 'file';

/**
 * A problem in a rule: what is wrong, of which kind, and where. Thrown inside the compiler, where
 * the nearest caller that knows the location catches it, adds `file:line`, and records it.
 */
export class RuleError extends TrailwatchError {
  override readonly name = 'RuleError';
  declare readonly location?: RuleLocation;
  declare readonly code: RuleErrorCode;
  constructor(
    message: string,
    location?: RuleLocation,
    readonly ruleTitle?: string,
    code: RuleErrorCode = 'schema',
    cause?: unknown,
  ) {
    super(message, code, {
      ...(location === undefined ? {} : { location }),
      ...(cause === undefined ? {} : { cause }),
    });
  }

  withLocation(location: RuleLocation): RuleError {
    return this.location
      ? this
      : new RuleError(this.message, location, this.ruleTitle, this.code, this.cause);
  }
}

/** A non-fatal observation about a rule (an unset placeholder, a deprecated form). */
export interface RuleWarning {
  readonly message: string;
  readonly location: RuleLocation;
}
