/**
 * Runs `work` on up to `limit` items at once and yields the results in the items' order: reads
 * overlap (S3 latency dominates a backtest) while alerting still sees records in time order. The
 * items are pulled lazily, so a generator of items (a listing) is only read as far as needed.
 */
export async function* mapOrdered<Item, Result>(
  items: Iterable<Item> | AsyncIterable<Item>,
  limit: number,
  work: (item: Item) => Promise<Result>,
): AsyncGenerator<Result> {
  const iterator =
    Symbol.asyncIterator in items
      ? items[Symbol.asyncIterator]()
      : (items as Iterable<Item>)[Symbol.iterator]();
  const running: Promise<Result>[] = [];
  let exhausted = false;
  const fill = async (): Promise<void> => {
    while (!exhausted && running.length < limit) {
      const next = await iterator.next();
      if (next.done) {
        exhausted = true;
        return;
      }
      const task = work(next.value);
      // A task that fails while an earlier one is awaited must not count as unhandled: its
      // rejection reaches the caller when its turn comes.
      task.catch(() => undefined);
      running.push(task);
    }
  };
  await fill();
  while (running.length > 0) {
    const result = await (running.shift() as Promise<Result>);
    await fill();
    yield result;
  }
}
