/**
 * Runs `work` on up to `limit` items at once and yields the results in the items' order: reads
 * overlap (S3 latency dominates a backtest) while alerting still sees records in time order.
 */
export async function* mapOrdered<Item, Result>(
  items: readonly Item[],
  limit: number,
  work: (item: Item) => Promise<Result>,
): AsyncGenerator<Result> {
  const running: Promise<Result>[] = [];
  let next = 0;
  const fill = (): void => {
    while (running.length < limit && next < items.length) running.push(work(items[next++] as Item));
  };
  fill();
  while (running.length > 0) {
    const result = await (running.shift() as Promise<Result>);
    fill();
    yield result;
  }
}
