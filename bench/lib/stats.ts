/** Small statistics for benchmark samples. */

/** The median of `values` (the mean of the middle two for an even count); NaN when empty. */
export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/** Linear-interpolated quantile `q` (0..1) of `values`; NaN when empty. */
function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  const low = sorted[lower] ?? Number.NaN;
  const high = sorted[upper] ?? Number.NaN;
  return low + (high - low) * (position - lower);
}

/** `value` rounded to `digits` decimals. */
export function round(value: number, digits = 1): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** Median and interquartile range, for the detailed JSON. */
export function summary(values: readonly number[]): {
  n: number;
  median: number;
  p25: number;
  p75: number;
  min: number;
  max: number;
} {
  return {
    n: values.length,
    median: round(median(values), 2),
    p25: round(quantile(values, 0.25), 2),
    p75: round(quantile(values, 0.75), 2),
    min: round(Math.min(...values), 2),
    max: round(Math.max(...values), 2),
  };
}
