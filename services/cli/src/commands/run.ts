import { join } from 'node:path';
import { Pipeline, formatSummary, summarize, waitUntilSettled, yesterdayInBeijing, type FinanceTarget, type PipelineSummary } from '@yecai/demo';
import { sleep } from '@yecai/common';
import { cacheDir, repoRoot } from '@yecai/stack';
import { UsageError } from '../errors';
import { writeCurrentRun, type CurrentRun } from './current-run';
import { operatorStack } from './stack';
import { smokeRoundTrip } from './smoke';
import { periodOfDay, printGoLiveReports, reconcileRun } from './golive';
import { writeReportFiles } from './reconcile';

export const RUN_USAGE = `yecai run [--documents N] [--timeout SECONDS] [--fast] [--target kingdee|yonyou] [--follow | --reconcile [--out report.xlsx] [--json …] [--html …]]
  主流程 the main job: 启动本机栈、聚水潭与金蝶模拟器、source/mapping/sink 三个服务，同步一个营业日的单据，
  全部单据有结果（过账、搁置或待处理）后打印汇总并自动停止 — stack, emulators and the three services sync a business
  day; once every document is posted, parked or pending it prints the summary and stops by itself
  --documents N   营业日单据数 documents in the business day (default 2000)
  --timeout S     最多等待秒数，超时退出码 1 give up after S seconds, exit code 1 (default 900)
  --target T      财务系统 the finance system the day posts to: kingdee 金蝶云星空（默认 default）或 or yonyou 用友 YonSuite
                  （用友模拟器，--reconcile 对账用友 the YonSuite emulator; --reconcile then reconciles against YonSuite）
  --fast          聚水潭限流放宽到 50/s、3000/min（默认按官方 5/s、100/min），用友 600 次/分（默认 60）relax JST's and YonSuite's documented rate limits
  --follow        汇总后服务继续运行（像常驻服务），Ctrl-C 停止 keep the services running after the summary, until Ctrl-C
  --reconcile     上线压力测试 the go-live stress test: 汇总后对账营业日所在期间，打印压力测试报告与业财一致性报告（有差异时退出码 1）；
                  --out/--json/--html 写对账报告 then reconciles the day's period against the finance system and prints both reports
                  (exit code 1 when 有差异); --threshold/--tolerance as for yecai reconcile.  yecai golive = run --reconcile --documents 1000
  (--bounded      旧参数，现为默认行为 old flag, now the default: accepted and ignored)
  运行期间及之后 during and after it: yecai status · parked · pending 自动读取这次运行 read this run without flags`;

export const RUN_OPTIONS = {
  documents: { type: 'string' },
  bounded: { type: 'boolean' },
  follow: { type: 'boolean' },
  timeout: { type: 'string' },
  fast: { type: 'boolean' },
  target: { type: 'string' },
  reconcile: { type: 'boolean' },
} as const;

const FINANCE_TARGETS: readonly FinanceTarget[] = ['kingdee', 'yonyou'];

function financeTarget(value: string | boolean | undefined): FinanceTarget {
  if (value === undefined) return 'kingdee';
  if (typeof value === 'string' && (FINANCE_TARGETS as readonly string[]).includes(value)) return value as FinanceTarget;
  throw new UsageError(`--target: "${value === true ? '' : value}" 只能是 must be one of ${FINANCE_TARGETS.join(', ')}`);
}

function positiveInt(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0) throw new UsageError(`${flag}: "${value}" 不是正整数 is not a positive integer`);
  return parsed;
}

const totals = (summary: PipelineSummary) => {
  const total = (key: 'available' | 'fetched' | 'mapped' | 'posted' | 'parkedInMapping' | 'parkedInSink' | 'pending') =>
    summary.flows.reduce((sum, flow) => sum + flow[key], 0);
  return `拉取 fetched ${total('fetched')}/${total('available')} · 映射 mapped ${total('mapped')} · 过账 posted ${total('posted')} · 搁置 parked ${total('parkedInMapping') + total('parkedInSink')} · 待处理 pending ${total('pending')}`;
};

export async function runCommand(flags: Record<string, string | boolean | undefined>): Promise<void> {
  const documents = positiveInt(flags.documents as string | undefined, '--documents', 2000);
  const follow = flags.follow === true;
  if (follow && flags.timeout !== undefined) throw new UsageError('--timeout 与 --follow 不能同用 --timeout does not apply with --follow (it runs until Ctrl-C)');
  const timeoutS = positiveInt(flags.timeout as string | undefined, '--timeout', 900);
  const goLive = flags.reconcile === true;
  const target = financeTarget(flags.target);
  if (follow && goLive) throw new UsageError('--reconcile 与 --follow 不能同用 --reconcile reconciles once the day is accounted for; --follow never ends');
  if (flags.bounded === true) console.log('注意 note: --bounded 已是默认行为，可以省略 is now the default and may be dropped');

  console.log('1/4 启动本机栈 bringing the local stack up…');
  const endpoints = await operatorStack().up();
  console.log('2/4 冒烟往返 smoke round trip (Avro through the registry, MongoDB)…');
  await smokeRoundTrip(endpoints, (line) => console.log(`  ${line}`));

  const runId = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
  const workDir = join(cacheDir(repoRoot()), 'run', runId);
  // Each run reads its own topics and database, so a second run never sees the first one's documents.
  const topicPrefix = `yecai.run${runId}.`;
  const mongoDb = `yecai_run${runId}`;
  console.log(`3/4 启动模拟器与服务 starting the emulators and the source, mapping and sink services (work dir ${workDir})…`);
  // The business day, fixed here so the go-live reconciliation reads the period the documents are in.
  const day = yesterdayInBeijing();
  const pipeline = await Pipeline.start({
    endpoints,
    workDir,
    documents,
    day,
    topicPrefix,
    mongoDb,
    target,
    ...(flags.fast ? { jstRateLimits: { perSecond: 50, perMinute: 3000 }, yonyouCallsPerMinute: 600 } : {}),
  });
  const { services } = pipeline;
  const sinkAdminUrl = `http://127.0.0.1:${services.sink.options.opsPort}/admin`;
  const mappingUrl = `http://127.0.0.1:${services.mapping.options.opsPort}`;
  const run: CurrentRun = {
    runId,
    topicPrefix,
    mongoDb,
    kafkaBrokers: endpoints.kafkaBrokers,
    mongodbUri: endpoints.mongodbUri,
    workDir,
    pid: process.pid,
    startedAt: new Date().toISOString(),
    state: 'running',
    sinkAdminUrl,
    mappingUrl,
  };
  writeCurrentRun(run);
  console.log(`  聚水潭模拟器 JST emulator      ${pipeline.jst.url}`);
  if (target === 'kingdee') console.log(`  金蝶模拟器 Kingdee emulator    ${pipeline.kingdee.url}`);
  else console.log(`  用友模拟器 YonSuite emulator   ${pipeline.yonyou.url}`);
  console.log(`  指标 metrics                   source http://127.0.0.1:${services.source.options.opsPort}/metrics · mapping ${mappingUrl}/metrics · sink http://127.0.0.1:${services.sink.options.opsPort}/metrics`);
  console.log(`  管理接口 admin API (sink)       ${sinkAdminUrl}  (operator token: demo-operator-token)`);
  console.log(`  服务日志 service logs          ${join(workDir, 'logs')}`);
  console.log(`  这次运行 this run              --db ${mongoDb} --prefix ${topicPrefix} (yecai status · parked · pending 自动使用 use them by default)`);

  let interrupted = false;
  const onSignal = () => {
    interrupted = true;
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  console.log(`4/4 同步营业日 syncing a business day of ${documents} documents${follow ? ' — Ctrl-C 停止 to stop' : ' (全部有结果后自动停止 stops by itself once every document is accounted for)'}…`);
  let exitCode = 0;
  try {
    let lastLine = '';
    let lastPrintedMs = 0;
    let latest: PipelineSummary | undefined;
    // When the totals last moved: the day's sync time for the stress report (the settle check adds two samples).
    let lastChangeMs = 0;
    const syncStarted = Date.now();
    // A line when something changed, and every 30 s while nothing does (so a quiet wait is visibly alive).
    const onSample = (summary: PipelineSummary, elapsedMs: number) => {
      // Ctrl-C reaches the services too (one process group): a sample taken after it reads services being stopped.
      if (interrupted) return;
      latest = summary;
      const line = totals(summary);
      if (line !== lastLine) lastChangeMs = elapsedMs;
      if (line === lastLine && elapsedMs - lastPrintedMs < 30_000) return;
      console.log(`  [${Math.round(elapsedMs / 1000)}s] ${line}`);
      lastLine = line;
      lastPrintedMs = elapsedMs;
    };
    const outcome = await waitUntilSettled(pipeline, {
      timeoutMs: follow ? Number.MAX_SAFE_INTEGER : timeoutS * 1000,
      intervalMs: 5_000,
      onSample,
      interrupted: () => interrupted,
    }, pipeline.flows); // the flows as this run's sink sees them (YonSuite: canonical types without a form map are left out)
    if (interrupted) {
      console.log('  已中断 interrupted (Ctrl-C): 以下为中断前的状态 the state before it:');
      exitCode = 130;
    } else if (!outcome.settled) {
      console.log(`  超时 timed out after ${timeoutS}s: 以下为当前状态 the state so far:`);
      exitCode = 1;
    }
    console.log('');
    console.log(formatSummary(latest ?? outcome.summary));
    if (goLive && !interrupted) {
      const period = periodOfDay(day.fromMs);
      console.log(`\n对账 reconciling period ${period} (源主题、sink 台账与金蝶模拟器 source topics, sink ledger, Kingdee emulator)…\n`);
      const report = await reconcileRun(pipeline, {
        period,
        topicPrefix,
        threshold: flags.threshold as string | undefined,
        tolerance: flags.tolerance as string | undefined,
      });
      const stress = { documents, durationMs: lastChangeMs || Date.now() - syncStarted, settled: outcome.settled, summary: latest ?? outcome.summary };
      printGoLiveReports(stress, report, (line) => console.log(line));
      await writeReportFiles(report, flags, (line) => console.log(line));
      if (exitCode === 0 && report.verdict !== '一致') exitCode = 1;
    }
    if (follow && !interrupted) {
      console.log(`\n服务继续运行 the services keep running — 重推 re-push: POST ${sinkAdminUrl}/documents/<id>/repush (Bearer demo-operator-token); Ctrl-C 停止 to stop`);
      while (!interrupted) {
        await sleep(5_000);
        if (!interrupted) onSample(await summarize(pipeline, pipeline.flows), Date.now() - Date.parse(run.startedAt));
      }
      exitCode = 0; // Ctrl-C is how a followed run ends
      console.log('\n已停止 stopped (Ctrl-C) — 停止前的状态 the state before stopping:');
      console.log(formatSummary(latest ?? outcome.summary));
    }
  } finally {
    await pipeline.stop();
    writeCurrentRun({ ...run, state: 'finished', finishedAt: new Date().toISOString() });
  }
  console.log('\n服务与模拟器已停止，本机栈仍在运行 services and emulators stopped; the local stack keeps running (`./yecai stack down`).');
  console.log(`查看这次运行 inspect this run: ./yecai parked · ./yecai pending · ./yecai status（读取 read --db ${mongoDb} --prefix ${topicPrefix}）`);
  if (!follow) console.log('重推需要服务在运行 re-pushing needs running services: `./yecai run --follow` 让服务在汇总后继续运行 keeps them up after the summary');
  process.exitCode = exitCode;
}
