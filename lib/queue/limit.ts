/**
 * A gate that lets at most `limit` tasks run at once; the others wait their turn in order. Unlike
 * lib/ingest's mapOrdered it takes tasks as they are called, which is how Powertools Batch hands
 * over the records of a batch (all at once, each to its own handler call).
 */
export function limitConcurrency(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
  if (!Number.isInteger(limit) || limit < 1)
    throw new RangeError(`concurrency limit ${limit} is not a positive integer`);
  let running = 0;
  const waiting: (() => void)[] = [];
  // A finished task hands its slot straight to the next waiter, so no caller can slip in between.
  const release = (): void => {
    const next = waiting.shift();
    if (next) next();
    else running--;
  };
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    else running++;
    try {
      return await task();
    } finally {
      release();
    }
  };
}
