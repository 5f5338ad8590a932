import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { formatBeijingTime } from '@yecai/common';
import { defaultStateDir } from '@yecai/stack';

/**
 * The last `yecai run` on this machine's stack: each run reads its own topics and database, so the operator
 * commands (status, parked, pending) need to know which — they read this file when no flag or variable names them.
 * It lives in the stack's state directory: a wiped stack forgets it along with the run's data.
 */
export interface CurrentRun {
  runId: string;
  topicPrefix: string;
  mongoDb: string;
  kafkaBrokers: string;
  mongodbUri: string;
  workDir: string;
  pid: number;
  startedAt: string;
  /** running until the services stop; finished after (the data stays, the services are gone). */
  state: 'running' | 'finished';
  finishedAt?: string;
  /** The sink's admin API and the mapping service, while the run's services are up. */
  sinkAdminUrl?: string;
  mappingUrl?: string;
}

export function currentRunFile(): string {
  return join(defaultStateDir(), 'current-run.json');
}

export function writeCurrentRun(run: CurrentRun): void {
  const file = currentRunFile();
  mkdirSync(dirname(file), { recursive: true });
  // Written whole then renamed: a command reading at the same moment sees the old or the new file, never half.
  writeFileSync(`${file}.tmp`, `${JSON.stringify(run, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}

export function readCurrentRun(): CurrentRun | undefined {
  const file = currentRunFile();
  if (!existsSync(file)) return undefined;
  try {
    const run = JSON.parse(readFileSync(file, 'utf8')) as CurrentRun;
    return typeof run.mongoDb === 'string' && typeof run.topicPrefix === 'string' ? run : undefined;
  } catch {
    return undefined; // a damaged file is no run: the commands fall back to their defaults
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** One line naming the run and how to ask for it explicitly, e.g. for a script or another shell. */
export function describeRun(run: CurrentRun): string {
  const state =
    run.state === 'finished'
      ? `已结束 finished ${formatBeijingTime(Date.parse(run.finishedAt ?? run.startedAt))}`
      : alive(run.pid)
        ? '运行中 running'
        : '已中断 interrupted';
  return `yecai run ${run.runId}（${state}）: --db ${run.mongoDb} --prefix ${run.topicPrefix}`;
}
