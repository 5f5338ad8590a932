/**
 * Every benchmark, one after another, and one table of their figures at the end.
 *
 *   ./yecai bench [--only kafka,mapping] [--quick] [--runs 3] ["--args=<flags of the one benchmark>"] [--out results.md]
 *   (or: npx tsx bench/all.ts …)
 *
 * Uses the operator's local stack (`yecai stack up`, started here when needed) or KAFKA_BROKERS / SCHEMA_REGISTRY_URL /
 * MONGODB_URI when set; the pipeline benchmark starts a stack of its own. Each benchmark still prints its own detailed
 * output as it runs; the table collects the lines they mark with `emitBenchRows`.
 */
import { spawn, execFileSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { wholeNumberFlag } from './lib/flags';
import { BENCH_ROW_MARKER, type BenchRow, combineRuns, parseBenchRows } from './lib/results';

const ROOT = resolve(__dirname, '..');

interface BenchDefinition {
  name: string;
  script: string;
  /** Arguments of a full run, and of a `--quick` run (minutes → about a minute). */
  full: string[];
  quick: string[];
  needsStack: boolean;
}

const BENCHES: BenchDefinition[] = [
  { name: 'kafka', script: 'kafka-bench.ts', full: ['--records', '200000', '--size', '512'], quick: ['--records', '50000', '--size', '512'], needsStack: true },
  { name: 'kingdee', script: 'kingdee-bench.ts', full: ['--bills', '2000'], quick: ['--bills', '500', '--calls', '100'], needsStack: false },
  { name: 'jushuitan', script: 'jushuitan-bench.ts', full: ['--documents', '20000'], quick: ['--documents', '5000'], needsStack: true },
  { name: 'wangdiantong', script: 'wangdiantong-bench.ts', full: ['--documents', '20000'], quick: ['--documents', '5000'], needsStack: true },
  { name: 'lingxing', script: 'lingxing-bench.ts', full: ['--documents', '20000'], quick: ['--documents', '5000'], needsStack: true },
  { name: 'saihu', script: 'saihu-bench.ts', full: ['--documents', '5000'], quick: ['--documents', '1000'], needsStack: true },
  { name: 'mapping', script: 'mapping-bench.ts', full: ['--documents', '20000'], quick: ['--documents', '5000'], needsStack: true },
  { name: 'sink', script: 'sink-bench.ts', full: ['--docs', '10000', '--batch', '100', '--chunks', '16', '--replay'], quick: [], needsStack: true },
  { name: 'sink-aggregation', script: 'sink-aggregation-bench.ts', full: ['--docs', '20000'], quick: ['--docs', '2000'], needsStack: true },
  { name: 'yonyou-sink', script: 'yonyou-sink-bench.ts', full: ['--docs', '1300', '--limit', '600'], quick: ['--docs', '400', '--limit', '300'], needsStack: true },
  { name: 'reconcile', script: 'reconcile-bench.ts', full: ['--documents', '10000'], quick: ['--documents', '3000'], needsStack: true },
  { name: 'console', script: 'console-bench.ts', full: ['--exceptions', '100000'], quick: ['--exceptions', '20000'], needsStack: true },
  { name: 'pipeline', script: 'pipeline-bench.ts', full: ['--rate', '1000', '--seconds', '30', '--backlog', '500000', '--drain-timeout', '1800'], quick: ['--rate', '200', '--seconds', '10', '--backlog', '5000'], needsStack: false },
];

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    quick: { type: 'boolean', default: false },
    runs: { type: 'string' },
    args: { type: 'string' },
    out: { type: 'string' },
  },
});

const known = new Set(BENCHES.map((bench) => bench.name));
const selected = values.only ? values.only.split(',').map((name) => name.trim()).filter(Boolean) : [...known];
for (const name of selected) {
  if (!known.has(name)) {
    console.error(`--only: 未知的基准 unknown benchmark "${name}"; choose from ${[...known].join(', ')}`);
    process.exit(2);
  }
}

function stackEnv(): Record<string, string> {
  if (process.env.KAFKA_BROKERS && process.env.SCHEMA_REGISTRY_URL && process.env.MONGODB_URI) return {};
  const yecai = join(ROOT, 'yecai');
  execFileSync(yecai, ['stack', 'up'], { stdio: ['ignore', 'inherit', 'inherit'] });
  const env: Record<string, string> = {};
  for (const line of execFileSync(yecai, ['stack', 'env'], { encoding: 'utf8' }).split('\n')) {
    const match = /^(?:export )?([A-Z_]+)=["']?([^"']*)["']?$/.exec(line.trim());
    if (match) env[match[1]!] = match[2]!;
  }
  return env;
}

// --args replaces the full/quick arguments of the one benchmark --only names (e.g. a smaller pipeline backlog).
const EXTRA_ARGS = values.args === undefined ? undefined : values.args.split(/\s+/).filter(Boolean);
if (EXTRA_ARGS && selected.length !== 1) {
  console.error('--args: 只能与只选一个基准的 --only 一起用 needs --only with exactly one benchmark');
  process.exit(2);
}

// Documented figures are medians of at least 3 runs (docs/benchmarks.md): --runs 3 runs each benchmark three times.
const RUNS = values.runs === undefined ? 1 : wholeNumberFlag('runs', values.runs);

interface BenchResult {
  rows: BenchRow[];
  seconds: number;
  exitCode: number;
  /** 1-minute load average before and after each run: the load the figure was taken under. */
  loads: string[];
}

const load1 = (): string => loadavg()[0]!.toFixed(1);

async function runBenchRepeatedly(bench: BenchDefinition, env: NodeJS.ProcessEnv): Promise<BenchResult> {
  const runs: BenchResult[] = [];
  for (let run = 1; run <= RUNS; run += 1) {
    if (RUNS > 1) process.stdout.write(`\n--- ${bench.name}: run ${run} of ${RUNS}\n`);
    const before = load1();
    const result = await runBench(bench, env);
    runs.push({ ...result, loads: [`${before}→${load1()}`] });
    if (result.exitCode !== 0) break;
  }
  return {
    rows: combineRuns(runs.map((result) => result.rows)),
    seconds: runs.reduce((sum, result) => sum + result.seconds, 0),
    exitCode: runs.find((result) => result.exitCode !== 0)?.exitCode ?? 0,
    loads: runs.flatMap((result) => result.loads),
  };
}

function runBench(bench: BenchDefinition, env: NodeJS.ProcessEnv): Promise<Omit<BenchResult, 'loads'>> {
  const args = ['--import', 'tsx', join(ROOT, 'bench', bench.script), ...(EXTRA_ARGS ?? (values.quick ? bench.quick : bench.full))];
  const started = Date.now();
  process.stdout.write(`\n=== ${bench.name}: node ${args.slice(2).join(' ')}\n`);
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env: { LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    let pending = '';
    // Echo the benchmark's own output as it comes, without the marked lines the table is made from.
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) if (!line.startsWith(BENCH_ROW_MARKER)) process.stdout.write(`${line}\n`);
    });
    child.on('close', (code) => resolvePromise({ rows: parseBenchRows(output), seconds: (Date.now() - started) / 1000, exitCode: code ?? 1 }));
  });
}

function machineLine(): string {
  const commit = (() => {
    try {
      return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    } catch {
      return 'unknown';
    }
  })();
  const load = loadavg().map((value) => value.toFixed(1)).join(' / ');
  return `${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.versions.node}, commit ${commit}, load average ${load}`;
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const machineBefore = machineLine();
  const needsStack = BENCHES.some((bench) => selected.includes(bench.name) && bench.needsStack);
  const env = { ...process.env, ...(needsStack ? stackEnv() : {}) };
  const results: ({ bench: BenchDefinition } & BenchResult)[] = [];
  for (const bench of BENCHES.filter((candidate) => selected.includes(candidate.name))) {
    results.push({ bench, ...(await runBenchRepeatedly(bench, env)) });
  }

  const lines = [
    `# yecai benchmarks — ${startedAt.toISOString()}${values.quick ? ' (quick)' : ''}${RUNS > 1 ? `, median of ${RUNS} runs each` : ''}`,
    '',
    `Machine at start: ${machineBefore}`,
    `Machine at end:   ${machineLine()}`,
    '',
    '| stage | measure | value | target / ceiling | note |',
    '|---|---|---|---|---|',
  ];
  for (const result of results) {
    if (result.exitCode !== 0) {
      lines.push(`| ${result.bench.name} | **基准失败 failed** (exit ${result.exitCode}, ${result.seconds.toFixed(0)} s) | — | | see its output above |`);
    } else if (result.rows.length === 0) {
      lines.push(`| ${result.bench.name} | (no figures reported) | — | | |`);
    }
    for (const row of result.rows) {
      lines.push(`| ${row.stage} | ${row.measure} | ${row.value} | ${row.target ?? ''} | ${row.note ?? ''} |`);
    }
  }
  lines.push('', `Durations: ${results.map((result) => `${result.bench.name} ${result.seconds.toFixed(0)} s`).join(', ')}`);
  lines.push(`Load average (1 min) before→after each run: ${results.map((result) => `${result.bench.name} ${result.loads.join(', ')}`).join('; ')}`);
  const table = lines.join('\n');
  process.stdout.write(`\n${table}\n`);
  const out = values.out ?? join(ROOT, '.cache', 'bench', `results-${startedAt.toISOString().replace(/[:.]/g, '-')}.md`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${table}\n`);
  process.stdout.write(`\n结果已保存 results written to ${out}\n`);
  process.exit(results.every((result) => result.exitCode === 0) ? 0 : 1);
}

void main().catch((error: unknown) => {
  console.error(`bench/all: ${(error as Error).stack ?? String(error)}`);
  process.exit(1);
});
