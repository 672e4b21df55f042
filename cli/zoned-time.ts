/**
 * Wall-clock times in a named time zone, as EventBridge Scheduler reads `at(...)` with
 * `ScheduleExpressionTimezone`: what instant they are (to refuse a time already past).
 */

const WALL_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;

/**
 * `2026-12-24T09:00` (seconds optional) as Scheduler's `at()` wants it, with seconds; undefined
 * when it is not such a time or not a real date (`2026-02-30T09:00`).
 *
 * @example wallTime('2026-12-24T09:00') // '2026-12-24T09:00:00'
 */
export function wallTime(value: string): string | undefined {
  const match = WALL_TIME.exec(value.trim());
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match
    .slice(1)
    .map((part) => Number(part ?? 0)) as [number, number, number, number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  if (Number.isNaN(date.getTime())) return undefined;
  const roundTrip = date.toISOString().slice(0, 19);
  const text = `${match[1]}-${match[2]}-${match[3]}T${match[4]}:${match[5]}:${match[6] ?? '00'}`;
  return roundTrip === text ? text : undefined;
}

/** Whether `zone` is an IANA time zone this runtime knows (`America/Los_Angeles`, `UTC`). */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** How far `zone`'s wall clock is ahead of UTC at instant `at` (ms). */
function offsetAt(at: number, zone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(at));
  const part = (type: string) => Number(parts.find((entry) => entry.type === type)?.value);
  const wall = Date.UTC(
    part('year'),
    part('month') - 1,
    part('day'),
    part('hour'),
    part('minute'),
    part('second'),
  );
  return wall - Math.floor(at / 1000) * 1000;
}

/**
 * The instant (epoch ms) of wall time `time` (as {@link wallTime} gives it) in `zone`.
 *
 * @example instantOf('2026-12-24T09:00:00', 'America/Los_Angeles') // Date.parse('2026-12-24T17:00:00Z')
 */
export function instantOf(time: string, zone: string): number {
  const asUtc = Date.parse(`${time}Z`);
  const guess = asUtc - offsetAt(asUtc, zone);
  return asUtc - offsetAt(guess, zone);
}
