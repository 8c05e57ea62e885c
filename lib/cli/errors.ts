import { formatError, TrailwatchError } from '../errors';
import type { CliIo } from './io';
import { EXIT_INPUT_FAILED, EXIT_USAGE, UsageError } from './io';

/**
 * The CLI's last word on an error no command handled, and its exit code. A TrailwatchError is a
 * problem trailwatch knows how to name: one line, `<location>: <message>` through formatLocation,
 * no stack; a usage error exits 2, any other 1. Anything else is a fault of trailwatch itself: its
 * stack is printed, so that it can be reported, and the exit code is 1.
 */
export function reportCliError(error: unknown, io: CliIo): number {
  if (error instanceof UsageError) {
    io.stderr.write(`trailwatch: ${formatError(error)}\n`);
    return EXIT_USAGE;
  }
  if (error instanceof TrailwatchError) {
    io.stderr.write(`trailwatch: error: ${formatError(error)}\n`);
    return EXIT_INPUT_FAILED;
  }
  io.stderr.write(
    `trailwatch: unexpected failure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  return EXIT_INPUT_FAILED;
}
