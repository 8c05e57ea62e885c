/** Where in a rule file something is, for messages a person can act on (`rules/x.yml:12`). */
export interface RuleLocation {
  readonly file: string;
  readonly line?: number;
  readonly column?: number;
}

export function formatLocation(location: RuleLocation): string {
  if (location.line === undefined) return location.file;
  return location.column === undefined
    ? `${location.file}:${location.line}`
    : `${location.file}:${location.line}:${location.column}`;
}

/**
 * A problem in a rule: what is wrong and where. Thrown inside the compiler, where the nearest
 * caller that knows the location catches it, adds `file:line`, and records it.
 */
export class RuleError extends Error {
  override readonly name = 'RuleError';
  constructor(
    message: string,
    readonly location?: RuleLocation,
    readonly ruleTitle?: string,
  ) {
    super(message);
  }

  withLocation(location: RuleLocation): RuleError {
    return this.location ? this : new RuleError(this.message, location, this.ruleTitle);
  }

  override toString(): string {
    return this.location ? `${formatLocation(this.location)}: ${this.message}` : this.message;
  }
}

/** A non-fatal observation about a rule (an unset placeholder, a deprecated form). */
export interface RuleWarning {
  readonly message: string;
  readonly location: RuleLocation;
}
