/**
 * Kafka on this machine: the broker's own ceiling (Kafka's ProducerPerformance / ConsumerPerformance) and what
 * kafkajs achieves through libs/kafka (produce, and a consume→produce pass-through like the mapping stage's).
 *
 *   npx tsx bench/kafka-bench.ts [--records 200000] [--size 512]
 *
 * Uses the running local stack (`./yecai stack up`) or KAFKA_BROKERS.
 */
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { KafkaClient } from '@yecai/kafka';
import { LocalStack, cacheDir, defaultStateDir, findJava, installKafkaTools, kafkaToolsLibDir, repoRoot } from '@yecai/stack';
import { emitBenchRows, formatCount } from './lib/results';
import { runBench } from './lib/run';

const { values } = parseArgs({ options: { records: { type: 'string', default: '200000' }, size: { type: 'string', default: '512' } } });
const records = Number(values.records);
const size = Number(values.size);
if (!Number.isInteger(records) || records <= 0) throw new Error(`--records: "${values.records}" is not a positive integer`);
if (!Number.isInteger(size) || size <= 0) throw new Error(`--size: "${values.size}" is not a positive integer`);

interface Row {
  what: string;
  perSecond: number;
  mbPerSecond: number;
  note: string;
}

async function main(): Promise<void> {
  const root = repoRoot();
  const paths = { root, cacheDir: cacheDir(root) };
  const brokers = process.env.KAFKA_BROKERS ?? (await new LocalStack({ ...paths, stateDir: defaultStateDir(root) }).up()).kafkaBrokers;
  await installKafkaTools(paths);
  const java = findJava(17);
  if (!java) throw new Error('Java 17+ not found');
  const classpath = `${kafkaToolsLibDir(paths)}/*`;
  const kafka = new KafkaClient({ brokers: [brokers], clientId: 'yecai-bench' });
  const run = Date.now().toString(36);
  const perfTopic = `bench.${run}.perf`;
  const jsTopic = `bench.${run}.kafkajs`;
  const passTopic = `bench.${run}.passthrough`;
  await kafka.ensureTopics([perfTopic, jsTopic, passTopic].map((topic) => ({ topic, numPartitions: 6 })));
  const rows: Row[] = [];

  // 1. The broker's ceiling with Kafka's own Java clients.
  const producerPerf = spawnSync(
    java.bin,
    ['-Xmx512m', '-cp', classpath, 'org.apache.kafka.tools.ProducerPerformance', '--topic', perfTopic, '--num-records', String(records),
      '--record-size', String(size), '--throughput', '-1', '--producer-props', `bootstrap.servers=${brokers}`, 'acks=all', 'linger.ms=5'],
    { encoding: 'utf8' },
  );
  const producerLine = producerPerf.stdout.trim().split('\n').pop() ?? '';
  const producerMatch = /([\d.]+) records\/sec \(([\d.]+) MB\/sec\)/.exec(producerLine);
  if (!producerMatch) throw new Error(`ProducerPerformance output not understood: ${producerPerf.stdout}${producerPerf.stderr}`);
  rows.push({ what: 'Kafka ProducerPerformance (Java, acks=all)', perSecond: Number(producerMatch[1]), mbPerSecond: Number(producerMatch[2]), note: producerLine.replace(/^.*sec\),\s*/, '') });

  const consumerPerf = spawnSync(
    java.bin,
    ['-Xmx512m', '-cp', classpath, 'org.apache.kafka.tools.ConsumerPerformance', '--bootstrap-server', brokers, '--topic', perfTopic,
      '--messages', String(records), '--timeout', '60000'],
    { encoding: 'utf8' },
  );
  // CSV: start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, …
  const consumerFields = consumerPerf.stdout.trim().split('\n').pop()?.split(',').map((field) => field.trim()) ?? [];
  if (consumerFields.length < 6) throw new Error(`ConsumerPerformance output not understood: ${consumerPerf.stdout}${consumerPerf.stderr}`);
  rows.push({ what: 'Kafka ConsumerPerformance (Java)', perSecond: Number(consumerFields[5]), mbPerSecond: Number(consumerFields[3]), note: `${consumerFields[4]} messages` });

  // 2. kafkajs through libs/kafka: idempotent producer, batches of 1,000.
  const payload = Buffer.alloc(size, 'x');
  const producer = await kafka.producer();
  let started = Date.now();
  for (let sent = 0; sent < records; sent += 1000) {
    const batch = Array.from({ length: Math.min(1000, records - sent) }, (_, i) => ({ key: String(sent + i), value: payload }));
    await producer.send({ topic: jsTopic, messages: batch });
  }
  let seconds = (Date.now() - started) / 1000;
  rows.push({ what: 'kafkajs produce (libs/kafka, idempotent)', perSecond: records / seconds, mbPerSecond: (records * size) / seconds / 1e6, note: 'sequential batches of 1,000' });

  // 3. kafkajs pass-through: consume every message and produce it to another topic (no transactions).
  const consumer = kafka.consumer({ groupId: `bench-${run}` });
  await consumer.connect();
  await consumer.subscribe({ topics: [jsTopic], fromBeginning: true });
  let passed = 0;
  started = Date.now();
  await new Promise<void>((resolve) => {
    void consumer.run({
      eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
        // A fetched batch can exceed the broker's request size: forward it in slices of 1,000.
        for (let i = 0; i < batch.messages.length; i += 1000) {
          const slice = batch.messages.slice(i, i + 1000);
          await producer.send({ topic: passTopic, messages: slice.map((m) => ({ key: m.key, value: m.value })) });
        }
        const last = batch.messages[batch.messages.length - 1];
        if (last) resolveOffset(last.offset);
        passed += batch.messages.length;
        await heartbeat();
        if (passed >= records) resolve();
      },
    });
  });
  seconds = (Date.now() - started) / 1000;
  rows.push({ what: 'kafkajs pass-through consume→produce', perSecond: passed / seconds, mbPerSecond: (passed * size) / seconds / 1e6, note: 'eachBatch, at-least-once' });
  await consumer.disconnect();
  const admin = await kafka.admin();
  await admin.deleteTopics({ topics: [perfTopic, jsTopic, passTopic] }).catch(() => undefined);
  await kafka.disconnect();

  console.log(`\nKafka on this machine — ${records} records of ${size} B, 6 partitions, broker ${brokers}\n`);
  console.log(`| ${'measurement'.padEnd(44)} | ${'records/s'.padStart(10)} | ${'MB/s'.padStart(7)} | note`);
  console.log(`|${'-'.repeat(46)}|${'-'.repeat(12)}|${'-'.repeat(9)}|------`);
  for (const row of rows) {
    console.log(`| ${row.what.padEnd(44)} | ${Math.round(row.perSecond).toString().padStart(10)} | ${row.mbPerSecond.toFixed(1).padStart(7)} | ${row.note}`);
  }
  emitBenchRows(
    rows.map((row) => ({
      stage: 'kafka',
      measure: row.what,
      value: `${formatCount(row.perSecond)} records/s (${row.mbPerSecond.toFixed(1)} MB/s)`,
      note: `${records} × ${size} B; ${row.note}`,
    })),
  );
}

runBench('kafka-bench', main);
