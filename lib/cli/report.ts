import type { DriverEvent } from '../driver';
import { describeRuleError } from '../driver';
import { formatOrigin } from '../ingest';
import type { CliIo } from './io';
import { writeDiagnostic } from './io';

/**
 * What every evaluating command (scan, lookup, backtest, audit) prints on stderr for the driver's
 * non-alert events: each problem with its location, so the user can find the file, line and record.
 */
export function reportDiagnostic(event: DriverEvent, io: CliIo, verbose: boolean): void {
  switch (event.kind) {
    case 'problem':
      writeDiagnostic(
        io,
        `trailwatch: error: ${formatOrigin(event.origin)}: ${event.message}${event.retryable ? ' (may succeed if retried)' : ''}`,
      );
      return;
    case 'skipped':
      if (verbose) writeDiagnostic(io, `trailwatch: skipped ${formatOrigin(event.origin)}: ${event.reason}`);
      return;
    case 'rule-error':
      writeDiagnostic(io, `trailwatch: error: ${describeRuleError(event)}`);
      return;
    case 'poison':
      writeDiagnostic(
        io,
        `trailwatch: error: ${formatOrigin(event.origin)}: event ${event.eventID ?? '(no eventID)'} could not be ${POISON_VERB[event.stage]}, the other records went on: ${event.message}`,
      );
      return;
    default:
      return;
  }
}

const POISON_VERB = {
  attribute: 'attributed',
  evaluate: 'evaluated',
  alert: 'alerted',
  deliver: 'delivered',
} as const;
