import type { DriverEvent } from '../driver';
import { describeRuleError } from '../driver';
import { formatOrigin } from '../ingest';
import type { CliIo } from './io';

/**
 * What every evaluating command (scan, lookup, backtest, audit) prints on stderr for the driver's
 * non-alert events: each problem with its location, so the user can find the file, line and record.
 */
export function reportDiagnostic(event: DriverEvent, io: CliIo, verbose: boolean): void {
  switch (event.kind) {
    case 'problem':
      io.stderr.write(
        `trailwatch: error: ${formatOrigin(event.origin)}: ${event.message}${event.retryable ? ' (may succeed if retried)' : ''}\n`,
      );
      return;
    case 'skipped':
      if (verbose) io.stderr.write(`trailwatch: skipped ${formatOrigin(event.origin)}: ${event.reason}\n`);
      return;
    case 'rule-error':
      io.stderr.write(`trailwatch: error: ${describeRuleError(event)}\n`);
      return;
    case 'poison':
      io.stderr.write(
        `trailwatch: error: ${formatOrigin(event.origin)}: event ${event.eventID ?? '(no eventID)'} could not be ${POISON_VERB[event.stage]}, the other records went on: ${event.message}\n`,
      );
      return;
    default:
      return;
  }
}

const POISON_VERB = { evaluate: 'evaluated', alert: 'alerted', deliver: 'delivered' } as const;
