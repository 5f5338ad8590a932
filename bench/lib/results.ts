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
