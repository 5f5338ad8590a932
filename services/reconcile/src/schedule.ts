/** When the daily reconciliation runs and which periods it covers; Beijing time (UTC+8, no DST), like finance's calendar. */
const BEIJING_OFFSET_MS = 8 * 3600_000;
const DAY_MS = 24 * 3600_000;

/** The next instant after `nowMs` whose Beijing wall time is `dailyAt` (HH:MM). */
export function nextDailyRun(nowMs: number, dailyAt: string): number {
  const [hours, minutes] = dailyAt.split(':').map(Number) as [number, number];
  const beijingMidnight = Math.floor((nowMs + BEIJING_OFFSET_MS) / DAY_MS) * DAY_MS - BEIJING_OFFSET_MS;
  const today = beijingMidnight + (hours * 60 + minutes) * 60_000;
  return today > nowMs ? today : today + DAY_MS;
}

/** The periods a run at `nowMs` reconciles: the current one, and the previous one until its books close (day ≤ `previousUntilDay`). */
export function periodsDue(nowMs: number, previousUntilDay: number): string[] {
  const beijing = new Date(nowMs + BEIJING_OFFSET_MS);
  const year = beijing.getUTCFullYear();
  const month = beijing.getUTCMonth() + 1;
  const current = `${year}-${String(month).padStart(2, '0')}`;
  if (beijing.getUTCDate() > previousUntilDay) return [current];
  const previous = month === 1 ? `${year - 1}-12` : `${year}-${String(month - 1).padStart(2, '0')}`;
  return [previous, current];
}
