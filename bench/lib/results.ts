/**
 * Benchmarks print their own human-readable tables and, through `emitBenchRows`, one marked JSON line per figure that
 * `bench/all.ts` collects into the single results table. The marker keeps the machine-readable lines apart from the
 * tables and progress output around them.
 */
import { readFileSync } from 'node:fs';

export const BENCH_ROW_MARKER = '##yecai-bench-row##';

export interface BenchRow {
  /** The stage measured, e.g. "kafka", "mapping", "sink", "pipeline". */
  stage: string;
  measure: string;
  /** The figure as people read it, e.g. "12,345 docs/s" or "p50 40 ms, p99 210 ms". */
  value: string;
  /** What it is compared with (a target or a ceiling), when there is one. */
  target?: string;
  note?: string;
}

export function emitBenchRows(rows: BenchRow[]): void {
  for (const row of rows) process.stdout.write(`${BENCH_ROW_MARKER} ${JSON.stringify(row)}\n`);
}

export function parseBenchRows(output: string): BenchRow[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith(BENCH_ROW_MARKER))
    .map((line) => JSON.parse(line.slice(BENCH_ROW_MARKER.length)) as BenchRow);
}

/** Peak resident set size (VmHWM) of a process in MB, NaN when it is gone or unreadable. */
export function peakRssMb(pid: number | undefined = process.pid): number {
  if (!pid) return NaN;
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** Thousands separators, no decimals: 12345.6 → "12,346". */
export const formatCount = (value: number): string => Math.round(value).toLocaleString('en-US');

const NUMBER = /-?\d[\d,]*(?:\.\d+)?/g;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Formats `value` like `example` was written: same decimals, thousands separators when it had them. */
function formatLike(value: number, example: string): string {
  const decimals = example.includes('.') ? example.split('.')[1]!.length : 0;
  return value.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals, useGrouping: example.includes(',') || value >= 10_000 });
}

/**
 * One figure from several runs of the same benchmark: every number in the value is the median of that number over
 * the runs (so "p50 150 ms, p99 1.9 s" stays one sentence), and the note lists each run's value. Runs whose values do
 * not read alike (other words around the numbers) cannot be combined: the value then lists them all.
 */
export function medianRow(runs: BenchRow[]): BenchRow {
  if (runs.length === 0) throw new Error('medianRow: no runs');
  const first = runs[0]!;
  if (runs.length === 1) return first;
  const shapes = runs.map((row) => row.value.replace(NUMBER, '#'));
  const perRun = `runs: ${runs.map((row) => row.value).join(' · ')}`;
  const note = [first.note, perRun].filter(Boolean).join('; ');
  if (shapes.some((shape) => shape !== shapes[0])) return { ...first, value: runs.map((row) => row.value).join(' · '), note: first.note };
  const numbers = runs.map((row) => (row.value.match(NUMBER) ?? []).map((text) => Number(text.replaceAll(',', ''))));
  const examples = first.value.match(NUMBER) ?? [];
  let slot = 0;
  const value = first.value.replace(NUMBER, () => {
    const index = slot++;
    return formatLike(median(numbers.map((values) => values[index]!)), examples[index]!);
  });
  return { ...first, value: `median ${value}`, note };
}

/** Rows of several runs of one benchmark, combined measure by measure (a measure missing from a run is left out of its median). */
export function combineRuns(runs: BenchRow[][]): BenchRow[] {
  const order: string[] = [];
  const byMeasure = new Map<string, BenchRow[]>();
  for (const rows of runs) {
    for (const row of rows) {
      const key = `${row.stage}\u0000${row.measure}`;
      if (!byMeasure.has(key)) {
        byMeasure.set(key, []);
        order.push(key);
      }
      byMeasure.get(key)!.push(row);
    }
  }
  return order.map((key) => medianRow(byMeasure.get(key)!));
}
