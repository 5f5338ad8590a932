/**
 * The pipeline after the source (mapping → sink → Kingdee emulator at zero latency) under load:
 *   1. latency: raw documents offered at a steady rate; raw-topic write → Kingdee posted, p50/p99;
 *   2. backlog: N raw documents written while mapping and sink are stopped, then the time both take to drain them;
 *   3. peak RSS of each service process (VmHWM).
 *
 *   npx tsx bench/pipeline-bench.ts [--rate 1000] [--seconds 30] [--backlog 50000] [--drain-timeout 3600]
 *   (a drain that outlasts --drain-timeout reports what it posted by then, and the rate)
 *
 * Starts a stack of its own. Raw documents are 聚水潭 sales out-stocks from the emulator's generator, written straight
 * into the raw topic as the source would (the source's own rate is bench/jushuitan-bench.ts).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sleep } from '@yecai/common';
import { JstDocumentStore } from '@yecai/emulator-jushuitan';
import { AvroSerde, KafkaClient, documentKey, topics } from '@yecai/kafka';
import { RAW_DOCUMENT_SCHEMA_PATH } from '@yecai/contracts';
import { metricValue } from '@yecai/test-harness';
import { Pipeline } from '@yecai/demo';
import { startOwnStack } from '@yecai/e2e';
import { wholeNumberFlag } from './lib/flags';
import { emitBenchRows, formatCount, peakRssMb } from './lib/results';

process.env.LOG_LEVEL ??= 'warn';
const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '30' },
    backlog: { type: 'string', default: '50000' },
    'drain-timeout': { type: 'string', default: '3600' },
  },
});
const rate = wholeNumberFlag('rate', values.rate);
const seconds = wholeNumberFlag('seconds', values.seconds);
const backlog = wholeNumberFlag('backlog', values.backlog);
const drainTimeoutSeconds = wholeNumberFlag('drain-timeout', values['drain-timeout']);

function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! : NaN;
}

async function main(): Promise<void> {
  const progress = (line: string) => process.stderr.write(`[pipeline-bench] ${line}\n`);
  const stack = await startOwnStack();
  progress('stack up');
  const prefix = `bench${Date.now().toString(36)}.`;
  process.env.YECAI_TOPIC_PREFIX = prefix;
  const pipeline = await Pipeline.start({
    endpoints: stack.endpoints,
    workDir: mkdtempSync(join(tmpdir(), 'yecai-pipeline-bench-')),
    documents: 8,
    topicPrefix: prefix,
    mongoDb: `bench_${Date.now().toString(36)}`,
    world: { unmappedWarehouse: false, materialMissingInKingdee: false, openingStock: 100_000_000 },
    kingdeeCallsPerSecond: 1000,
    logLevel: 'warn',
  });
  progress('pipeline up');
  // Only the documents this benchmark writes go through: the source is not needed.
  await pipeline.services.source.dispose();

  const kafka = new KafkaClient({ brokers: [stack.endpoints.kafkaBrokers], clientId: 'yecai-pipeline-bench' });
  const serde = new AvroSerde(stack.endpoints.schemaRegistryUrl);
  const topic = topics.raw('jushuitan', 'sales_outstock');
  await kafka.ensureTopics([{ topic, numPartitions: 6 }]);
  const schemaId = await serde.registerForTopic(topic, JSON.parse(readFileSync(RAW_DOCUMENT_SCHEMA_PATH, 'utf8')));
  const producer = await kafka.producer({ allowAutoTopicCreation: false });
  const generator = new JstDocumentStore(99);
  let nextIndex = 0;

  const makeBatch = async (count: number): Promise<{ ids: string[]; messages: { key: string; value: Buffer }[] }> => {
    const versions = generator.addDocuments('sales_outstock', count, Date.now(), 'Confirmed');
    const ids: string[] = [];
    const messages = await Promise.all(
      versions.map(async (version) => {
        const payload = JSON.stringify(generator.render(generator.get('sales_outstock', version.id)!));
        const sourceId = String(version.id);
        ids.push(sourceId);
        nextIndex += 1;
        const identity = { sourceSystem: 'jushuitan', account: 'bench', documentType: 'sales_outstock', sourceId };
        return {
          key: documentKey(identity),
          value: await serde.encode(schemaId, {
            ...identity,
            sourceModifiedAt: version.modifiedMs,
            fetchedAt: Date.now(),
            payload,
            contentHash: createHash('sha256').update(payload).digest('hex'),
            origin: 'LIVE',
          }),
        };
      }),
    );
    return { ids, messages };
  };

  const sinkPosted = async () =>
    metricValue(await pipeline.services.sink.metrics().catch(() => ''), 'yecai_sink_documents_total', { outcome: 'posted' });

  // 1. Steady rate: send in 100 ms ticks; remember when each document entered Kafka.
  const sentAt = new Map<string, number>();
  const perTick = Math.max(1, Math.round(rate / 10));
  const steadyStart = Date.now();
  for (let tick = 0; tick < seconds * 10; tick++) {
    const due = steadyStart + tick * 100;
    if (Date.now() < due) await sleep(due - Date.now());
    const { ids, messages } = await makeBatch(perTick);
    await producer.send({ topic, messages });
    const now = Date.now();
    for (const id of ids) sentAt.set(id, now);
  }
  const offered = sentAt.size;
  progress(`offered ${offered}`);
  const achievedRate = offered / ((Date.now() - steadyStart) / 1000);
  const deadline = Date.now() + 600_000;
  while ((await sinkPosted()) < offered && Date.now() < deadline) await sleep(500);
  progress(`posted ${await sinkPosted()}`);
  const { Ledger } = await import('@yecai/sink-kingdee');
  const entries = await new Ledger(pipeline.db).list({ state: 'POSTED' }, Number.MAX_SAFE_INTEGER, 0);
  const latencies = entries
    .map((entry) => {
      const id = entry.documentKey.split('/').pop()!;
      const sent = sentAt.get(id);
      return sent === undefined ? undefined : new Date(entry.updatedAt).getTime() - sent;
    })
    .filter((value): value is number => value !== undefined)
    .sort((a, b) => a - b);

  // 2. Backlog: stop mapping and sink, write the backlog, start both, time the drain.
  await pipeline.services.mapping.stop();
  await pipeline.services.sink.stop();
  for (let written = 0; written < backlog; written += 1000) {
    const { messages } = await makeBatch(Math.min(1000, backlog - written));
    await producer.send({ topic, messages });
  }
  const postedBefore = offered;
  const drainStart = Date.now();
  pipeline.services.mapping.start();
  pipeline.services.sink.start();
  await pipeline.services.sink.waitReady(120_000);
  const drainDeadline = Date.now() + drainTimeoutSeconds * 1000;
  let posted = 0;
  while (Date.now() < drainDeadline) {
    // Counters restart with the processes: after the restart they count only the backlog.
    posted = await sinkPosted();
    if (posted >= backlog) break;
    await sleep(1000);
  }
  const drainSeconds = (Date.now() - drainStart) / 1000;
  const rss = {
    mapping: peakRssMb(pipeline.services.mapping.pid),
    sink: peakRssMb(pipeline.services.sink.pid),
  };
  await producer.disconnect();
  await kafka.disconnect();
  await pipeline.stop();
  await stack.stop();

  console.log(`\nPipeline after the source (mapping + sink + Kingdee emulator), ${nextIndex} documents, prefix ${prefix}\n`);
  console.log('| measurement | result |');
  console.log('|---|---|');
  console.log(`| offered rate | ${rate}/s for ${seconds} s (achieved ${achievedRate.toFixed(0)}/s, ${offered} documents) |`);
  console.log(`| raw topic → Kingdee posted latency | p50 ${percentile(latencies, 50)} ms, p99 ${percentile(latencies, 99)} ms (${latencies.length} bills) |`);
  console.log(`| backlog of ${backlog} drained (mapping + sink) | ${drainSeconds.toFixed(1)} s = ${(posted / drainSeconds).toFixed(0)} documents/s (posted ${posted}, before ${postedBefore}) |`);
  console.log(`| peak RSS mapping / sink | ${rss.mapping.toFixed(0)} MB / ${rss.sink.toFixed(0)} MB |`);
  emitBenchRows([
    {
      stage: 'pipeline',
      measure: `raw → Kingdee posted latency at ${rate} docs/s offered`,
      value: `p50 ${formatCount(percentile(latencies, 50))} ms, p99 ${formatCount(percentile(latencies, 99))} ms`,
      note: `achieved ${achievedRate.toFixed(0)}/s for ${seconds} s, ${latencies.length} bills`,
    },
    {
      stage: 'pipeline',
      measure: `backlog of ${formatCount(backlog)} drained (mapping + sink)`,
      value: posted >= backlog ? `${drainSeconds.toFixed(1)} s = ${formatCount(posted / drainSeconds)} docs/s` : `not drained in ${drainSeconds.toFixed(0)} s (${formatCount(posted / drainSeconds)} docs/s; ${formatCount(backlog / (posted / drainSeconds))} s projected)`,
      note: posted >= backlog ? 'all posted' : `drain cut at --drain-timeout ${drainTimeoutSeconds} s: ${posted} of ${backlog} posted`,
    },
    { stage: 'pipeline', measure: 'peak RSS mapping service', value: `${rss.mapping.toFixed(0)} MB` },
    { stage: 'pipeline', measure: 'peak RSS sink service', value: `${rss.sink.toFixed(0)} MB` },
  ]);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`pipeline-bench: ${(error as Error).stack ?? error}`);
    process.exit(1);
  },
);
