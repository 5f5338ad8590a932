import { ValidationError } from './errors';

/**
 * Chinese SaaS APIs speak `yyyy-MM-dd HH:mm:ss` in Beijing time (UTC+8, no DST). Connectors convert at the
 * edge with these two functions and keep the raw string beside the instant.
 */
const BEIJING_OFFSET_MS = 8 * 3600_000;
const BEIJING_PATTERN = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

export function formatBeijingTime(epochMs: number): string {
  const shifted = new Date(epochMs + BEIJING_OFFSET_MS).toISOString(); // 2024-01-01T10:00:00.000Z
  return `${shifted.slice(0, 10)} ${shifted.slice(11, 19)}`;
}

/** Parses a Beijing datetime string to epoch milliseconds; the error names the field. */
export function parseBeijingTime(text: unknown, field: string): number {
  const match = typeof text === 'string' ? BEIJING_PATTERN.exec(text) : null;
  if (!match) {
    throw new ValidationError(
      `${field}: expected "yyyy-MM-dd HH:mm:ss" (Beijing time), got ${JSON.stringify(text)}`,
      field,
    );
  }
  const [, y, mo, d, h, mi, s] = match.map(Number) as [number, number, number, number, number, number, number];
  const utc = Date.UTC(y, mo - 1, d, h, mi, s);
  if (formatBeijingTime(utc - BEIJING_OFFSET_MS) !== text) {
    throw new ValidationError(`${field}: ${JSON.stringify(text)} is not a valid date`, field);
  }
  return utc - BEIJING_OFFSET_MS;
}
