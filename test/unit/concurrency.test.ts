import { describe, expect, it, vi } from 'vitest';
import { mapWithConcurrency } from '../../functions/release/concurrency';

/** Work that tracks how many calls are in flight and finishes after `delays[index]` ms. */
function trackedWork(delays: number[]) {
  let inFlight = 0;
  const peaks: number[] = [];
  const started: number[] = [];
  const work = vi.fn(async (item: string, index: number) => {
    inFlight++;
    started.push(index);
    peaks.push(inFlight);
    await new Promise((resolve) => setTimeout(resolve, delays[index] ?? 0));
    inFlight--;
    return `${item}:${index}`;
  });
  return { work, peaks, started, inFlight: () => inFlight };
}

describe('mapWithConcurrency', () => {
  it('never has more than `limit` items in flight', async () => {
    // Prepare
    const items = Array.from({ length: 12 }, (_, index) => `item${index}`);
    const { work, peaks, inFlight } = trackedWork(items.map((_, index) => (index % 4) + 1));

    // Act
    await mapWithConcurrency(items, 3, work);

    // Assess
    expect(work).toHaveBeenCalledTimes(12);
    expect(Math.max(...peaks)).toBe(3);
    expect(inFlight()).toBe(0);
  });

  it('keeps the input order in the output when later items finish first', async () => {
    // Prepare
    const items = ['a', 'b', 'c', 'd', 'e'];
    const { work } = trackedWork([25, 20, 15, 10, 1]);

    // Act
    const results = await mapWithConcurrency(items, 5, work);

    // Assess
    expect(results).toEqual(['a:0', 'b:1', 'c:2', 'd:3', 'e:4']);
  });

  it('starts items in input order', async () => {
    // Prepare
    const items = ['a', 'b', 'c', 'd', 'e', 'f'];
    const { work, started } = trackedWork([5, 1, 3, 1, 1, 1]);

    // Act
    await mapWithConcurrency(items, 2, work);

    // Assess
    expect(started).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('runs one at a time with a limit of 1', async () => {
    // Prepare
    const items = ['a', 'b', 'c'];
    const { work, peaks } = trackedWork([3, 2, 1]);

    // Act
    const results = await mapWithConcurrency(items, 1, work);

    // Assess
    expect(peaks).toEqual([1, 1, 1]);
    expect(results).toEqual(['a:0', 'b:1', 'c:2']);
  });

  it('starts every item at once when the limit exceeds their number', async () => {
    // Prepare
    const items = ['a', 'b', 'c'];
    const { work, peaks } = trackedWork([5, 5, 5]);

    // Act
    await mapWithConcurrency(items, 64, work);

    // Assess
    expect(peaks).toEqual([1, 2, 3]);
  });

  it('returns an empty array for empty input without calling work', async () => {
    // Prepare
    const work = vi.fn(async () => 'never');

    // Act
    const results = await mapWithConcurrency([], 8, work);

    // Assess
    expect(results).toEqual([]);
    expect(work).not.toHaveBeenCalled();
  });
});
