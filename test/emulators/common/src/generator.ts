import { seededRandom } from '@yecai/common';
import { truncateToSecond } from './paging';

export { seededRandom };

/** One element, drawn from the seeded random. */
export function pick<T>(random: () => number, list: readonly T[]): T {
  return list[Math.floor(random() * list.length)] as T;
}

/** FNV-1a over 32-bit parts: a seed for (seed, type, index) so every document is generated on its own. */
export function mixSeed(...parts: number[]): number {
  let h = 2166136261;
  for (const part of parts) {
    h = Math.imul(h ^ (part & 0xffff), 16777619);
    h = Math.imul(h ^ (part >>> 16), 16777619);
  }
  return h >>> 0;
}

/**
 * `count` increasing modified times (whole seconds) spread over [fromMs, toMs], with same-second ties: each time
 * repeats the previous one with probability `sameSecondRatio` (as batch operations do), otherwise moves on by
 * 1–5 steps; the walk is then scaled into the range. Draws `count - 1` or more numbers from `random`.
 */
export function spreadModifiedTimes(
  random: () => number,
  count: number,
  range: { fromMs: number; toMs: number; sameSecondRatio?: number },
): number[] {
  const ratio = range.sameSecondRatio ?? 0.3;
  const steps: number[] = [];
  let position = 0;
  for (let i = 0; i < count; i++) {
    if (i > 0 && random() >= ratio) position += 1 + random() * 4;
    steps.push(position);
  }
  const span = Math.max(0, Math.floor((range.toMs - range.fromMs) / 1000));
  const scale = position > 0 ? span / position : 0;
  const start = truncateToSecond(range.fromMs);
  return steps.map((step) => start + Math.floor(step * scale) * 1000);
}
