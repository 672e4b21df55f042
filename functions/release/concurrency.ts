/**
 * Runs tasks with at most `limit` in flight, first come first served. One limiter can be shared by
 * several requests (the records of one SQS batch), so that together they stay within what
 * CallFire tolerates.
 */
export type Limiter = <T>(task: () => Promise<T>) => Promise<T>;

export function createLimiter(limit: number): Limiter {
  let running = 0;
  const waiting: Array<() => void> = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    // A finishing task hands its slot straight to the next waiter, so a newcomer cannot slip in
    // between and exceed the limit.
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    else running++;
    try {
      return await task();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}

/**
 * Maps `items` through `work` with at most `limit` in flight (a number, or a shared limiter),
 * keeping the input order in the output. `work` must not reject (the release core turns every
 * failure into an outcome).
 */
export function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number | Limiter,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const limiter = typeof limit === 'number' ? createLimiter(limit) : limit;
  return Promise.all(items.map((item, index) => limiter(() => work(item, index))));
}
