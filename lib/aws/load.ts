/**
 * A module loaded on first use and kept: `loadedOnce(() => import('@aws-sdk/client-s3'))`. The
 * SDK stays out of a Lambda cold start until a call needs it, and is loaded only once: the
 * functions' CommonJS bundles turn every `import()` into a fresh copy of the module's exports (the
 * S3 client's 700-odd: the first copy took 7 to 12 ms of the bench's cold start), so importing
 * where each call is made paid that again per object read, per email sent, per failure report.
 * A failed load is not kept: the next call tries again.
 */
export function loadedOnce<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () => {
    if (loading === undefined) {
      const started = load();
      loading = started;
      started.catch(() => {
        if (loading === started) loading = undefined;
      });
    }
    return loading;
  };
}
