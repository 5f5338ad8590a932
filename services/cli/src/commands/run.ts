import { join } from 'node:path';
import { Pipeline, formatSummary, settled, summarize } from '@yecai/e2e';
import { sleep } from '@yecai/common';
import { cacheDir, repoRoot } from '@yecai/stack';
import { UsageError } from '../errors';
import { operatorStack } from './stack';
import { smokeRoundTrip } from './smoke';

export const RUN_USAGE = `yecai run [--documents N] [--bounded] [--timeout SECONDS] [--fast]
  主流程 the main job: 启动本机栈、聚水潭与金蝶模拟器、source/mapping/sink 三个服务，同步一个营业日的单据并打印汇总
  --documents N   营业日单据数 documents in the business day (default 2000)
  --bounded       全部单据有结果后自动停止 stop by itself once every document is accounted for
  --timeout S     与 --bounded 一起：最多等待秒数 give up after S seconds (default 900)
  --fast          聚水潭限流放宽到 50/s、3000/min（默认按官方 5/s、100/min）relax JST's documented rate limits`;

export const RUN_OPTIONS = {
  documents: { type: 'string' },
  bounded: { type: 'boolean' },
  timeout: { type: 'string' },
  fast: { type: 'boolean' },
} as const;

function positiveInt(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0) throw new UsageError(`${flag}: "${value}" 不是正整数 is not a positive integer`);
  return parsed;
}

export async function runCommand(flags: Record<string, string | boolean | undefined>): Promise<void> {
  const documents = positiveInt(flags.documents as string | undefined, '--documents', 2000);
  const timeoutS = positiveInt(flags.timeout as string | undefined, '--timeout', 900);
  const bounded = flags.bounded === true;

  console.log('1/4 启动本机栈 bringing the local stack up…');
  const endpoints = await operatorStack().up();
  console.log('2/4 冒烟往返 smoke round trip (Avro through the registry, MongoDB)…');
  await smokeRoundTrip(endpoints, (line) => console.log(`  ${line}`));

  const runId = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
  const workDir = join(cacheDir(repoRoot()), 'run', runId);
  console.log(`3/4 启动模拟器与服务 starting the emulators and the source, mapping and sink services (work dir ${workDir})…`);
  const pipeline = await Pipeline.start({
    endpoints,
    workDir,
    documents,
    // Each run reads its own topics and database, so a second run never sees the first one's documents.
    topicPrefix: `yecai.run${runId}.`,
    mongoDb: `yecai_run${runId}`,
    ...(flags.fast ? { jstRateLimits: { perSecond: 50, perMinute: 3000 } } : {}),
  });
  const { services } = pipeline;
  console.log(`  聚水潭模拟器 JST emulator      ${pipeline.jst.url}`);
  console.log(`  金蝶模拟器 Kingdee emulator    ${pipeline.kingdee.url}`);
  console.log(`  指标 metrics                   source http://127.0.0.1:${services.source.options.opsPort}/metrics · mapping http://127.0.0.1:${services.mapping.options.opsPort}/metrics · sink http://127.0.0.1:${services.sink.options.opsPort}/metrics`);
  console.log(`  管理接口 admin API (sink)       http://127.0.0.1:${services.sink.options.opsPort}/admin  (operator token: demo-operator-token)`);
  console.log(`  服务日志 service logs          ${join(workDir, 'logs')}`);

  let interrupted = false;
  const onSignal = () => {
    interrupted = true;
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  console.log(`4/4 同步营业日 syncing a business day of ${documents} documents${bounded ? ' (bounded run)' : ' — Ctrl-C 停止 to stop'}…`);
  const started = Date.now();
  let exitCode = 0;
  let previous: Awaited<ReturnType<typeof summarize>> | undefined;
  try {
    for (;;) {
      await sleep(5_000);
      const summary = await summarize(pipeline);
      const total = (key: 'available' | 'fetched' | 'mapped' | 'posted' | 'parkedInMapping' | 'parkedInSink') =>
        summary.flows.reduce((sum, flow) => sum + flow[key], 0);
      console.log(
        `  [${Math.round((Date.now() - started) / 1000)}s] 拉取 fetched ${total('fetched')}/${total('available')} · 映射 mapped ${total('mapped')} · 过账 posted ${total('posted')} · 搁置 parked ${total('parkedInMapping') + total('parkedInSink')}`,
      );
      if (interrupted) break;
      if (bounded && settled(summary, previous)) break;
      previous = summary;
      if (bounded && Date.now() - started > timeoutS * 1000) {
        console.log(`  超时 timed out after ${timeoutS}s: 以下为当前状态 the state so far:`);
        exitCode = 1;
        break;
      }
    }
    console.log('');
    console.log(formatSummary(await summarize(pipeline)));
  } finally {
    await pipeline.stop();
  }
  console.log('\n服务与模拟器已停止，本机栈仍在运行 services and emulators stopped; the local stack keeps running (`./yecai stack down`).');
  process.exitCode = exitCode;
}
