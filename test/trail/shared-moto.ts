/**
 * One moto_server for every trail suite of a test file. Starting one costs about a second (Python
 * imports moto, then each service's backend on its first request), more than most trail tests
 * take, so the suites share it rather than each starting its own.
 */
import { afterAll, beforeAll } from 'vitest';
import type { Moto } from '../helpers/moto';
import { MOTO_SKIP_MESSAGE, motoAvailable, startMoto, useMotoCredentials } from '../helpers/moto';

export interface SharedMoto {
  /** The server's endpoint; only inside tests and hooks, once the file's beforeAll has run. */
  readonly endpoint: string;
}

/**
 * Starts moto_server at once, not in a beforeAll: it boots while the test file goes on importing
 * its suites (the AWS SDK and the rules, seconds). Before the file's suites, it waits for the
 * server and points the SDK's credential chain at its dummy credentials; after them, it puts the
 * environment back and stops the server. Where moto_server is absent it warns and starts nothing;
 * the suites gate on `motoAvailable`.
 */
export function useSharedMoto(): SharedMoto {
  if (!motoAvailable) console.warn(MOTO_SKIP_MESSAGE);
  const starting = motoAvailable ? startMoto() : undefined;
  // A failed start is reported by the beforeAll that awaits it, not as an unhandled rejection before.
  starting?.catch(() => {});
  // Should the file fail before its hooks run (a suite that does not import), the server still
  // stops when the test process exits.
  starting?.then(
    (started) => process.once('exit', () => void started.stop()),
    () => {},
  );
  let moto: Moto | undefined;
  let restoreEnv: (() => void) | undefined;
  beforeAll(async () => {
    if (!starting) return;
    moto = await starting;
    restoreEnv = useMotoCredentials();
  }, 60_000);
  afterAll(() => {
    restoreEnv?.();
    // SIGTERM is sent now; moto_server then shuts down gracefully, which took 0.3 to 1 s measured.
    // It keeps nothing on disk, so the file does not wait for that: the exit completes on its own.
    void moto?.stop();
  });
  return {
    get endpoint() {
      if (!moto) throw new Error('moto_server is not running (used outside a test, or not installed)');
      return moto.endpoint;
    },
  };
}
