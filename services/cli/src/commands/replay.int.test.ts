import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { topics, type KafkaClient } from '@yecai/kafka';
import { testEndpoints, testKafka, uniqueName, uniqueTopicPrefix, waitFor } from '@yecai/test-harness';
import { planReplay, replayCommand } from './replay';
import { consumerLag } from './status';
import { topicsCommand } from './topics';

const CLI = join(__dirname, '..', 'main.ts');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs the real `yecai` entry point, as an operator would. */
function yecai(args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], {
    encoding: 'utf8',
    env: { ...process.env, KAFKA_BROKERS: testEndpoints().kafkaBrokers, LOG_LEVEL: 'warn' },
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

async function committedOffsets(kafka: KafkaClient, groupId: string, topic: string): Promise<Record<number, string>> {
  const [entry] = await (await kafka.admin()).fetchOffsets({ groupId, topics: [topic] });
  return Object.fromEntries((entry?.partitions ?? []).map((p) => [p.partition, p.offset]));
}

/** Consumes with the service's group (read_committed, commits as it goes) until `expected` arrive and nothing more comes. */
async function runService(kafka: KafkaClient, groupId: string, topic: string, expected: number) {
  const consumer = kafka.consumer({ groupId, readCommitted: true });
  const seen: { partition: number; offset: string; value: string }[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachMessage: async ({ partition, message }) => void seen.push({ partition, offset: message.offset, value: message.value?.toString() ?? '' }) });
  await waitFor(() => seen.length >= expected, `${expected} messages in ${groupId}`);
  await new Promise((resolve) => setTimeout(resolve, 1_500)); // duplicates, if any, would show up here
  await consumer.disconnect();
  return seen;
}

describe('yecai replay (real broker)', () => {
  let kafka: KafkaClient;
  let prefix: string;
  let topic: string;
  let groupId: string;
  let firstRun: { partition: number; offset: string; value: string }[];
  /** The replay point, between the two batches (ISO 8601, as an operator may type it). */
  let between: string;

  beforeAll(async () => {
    prefix = uniqueTopicPrefix('replay');
    process.env.YECAI_TOPIC_PREFIX = prefix;
    kafka = testKafka('replay-int');
    topic = topics.raw('testsrc', 'orders');
    groupId = uniqueName('yecai-replaytest');
    await kafka.ensureTopics([{ topic, numPartitions: 2 }]);
    const producer = await kafka.transactionalProducer(uniqueName('replay-tx'));
    // Real clock times: Kafka finds offsets by timestamp over every record, transaction markers (stamped by the
    // broker at commit) included, so messages must carry the time they were really written, as in production.
    const send = (values: string[]) =>
      producer.inTransaction((tx) => tx.send({ topic, messages: values.map((value, i) => ({ key: `k${i % 5}`, value })) }).then(() => undefined));
    // Before the replay point: 10 committed messages in two transactions and one aborted transaction, so offsets
    // (which count transaction markers and aborted records) differ from message counts.
    await send(['b1', 'b2', 'b3', 'b4', 'b5']);
    await producer.inTransaction(async (tx) => {
      await tx.send({ topic, messages: [{ key: 'k0', value: 'aborted' }] });
      throw new Error('abort on purpose');
    }).catch(() => undefined);
    await send(['b6', 'b7', 'b8', 'b9', 'b10']);
    await sleep(300);
    between = new Date().toISOString();
    await sleep(300);
    // After it: 7 messages in three transactions.
    await send(['a1', 'a2', 'a3']);
    await send(['a4', 'a5']);
    await send(['a6', 'a7']);
    await producer.disconnect();
    firstRun = await runService(kafka, groupId, topic, 17);
  });
  afterAll(async () => {
    await kafka.disconnect();
    delete process.env.YECAI_TOPIC_PREFIX;
  });

  it('dry-run counts per partition exactly the messages the service then reprocesses, and moves offsets to the time', async () => {
    expect(firstRun).toHaveLength(17);
    expect(firstRun.filter((m) => m.value === 'aborted')).toHaveLength(0);
    const afterValues = firstRun.filter((m) => m.value.startsWith('a'));
    expect(afterValues).toHaveLength(7);

    const before = await committedOffsets(kafka, groupId, topic);
    const output: string[] = [];
    await replayCommand([], { brokers: testEndpoints().kafkaBrokers, group: groupId, topic: 'raw.testsrc.orders', 'to-time': between, 'dry-run': true }, (line) => output.push(line));
    expect(output.join('\n')).toContain('重新处理 7 条 messages reprocessed');
    expect(await committedOffsets(kafka, groupId, topic)).toEqual(before); // a dry run changes nothing

    const plan = await planReplay(kafka, groupId, [topic], { kind: 'time', atMs: Date.parse(between) });
    for (const partition of [0, 1]) {
      const expected = afterValues.filter((m) => m.partition === partition);
      const planned = plan.partitions.find((p) => p.partition === partition);
      expect(planned?.reprocess).toBe(expected.length);
      // The target is the first message at or after the time: the first "after" message of the partition.
      const firstAfter = expected.map((m) => BigInt(m.offset)).sort((a, b) => (a < b ? -1 : 1))[0];
      expect(planned?.target).toBe(firstAfter ?? planned?.high);
    }

    await replayCommand([], { brokers: testEndpoints().kafkaBrokers, group: groupId, topic: `${prefix}raw.testsrc.orders`, 'to-time': between }, () => undefined);
    const moved = await committedOffsets(kafka, groupId, topic);
    for (const p of plan.partitions) expect(moved[p.partition]).toBe(String(p.target));

    const reprocessed = await runService(kafka, groupId, topic, 7);
    expect(reprocessed.map((m) => m.value).sort()).toEqual(afterValues.map((m) => m.value).sort());
    for (const p of plan.partitions) expect(reprocessed.filter((m) => m.partition === p.partition)).toHaveLength(p.reprocess);
  });

  it('refuses to move a group that has a running member, and says so', async () => {
    const before = await committedOffsets(kafka, groupId, topic);
    const consumer = kafka.consumer({ groupId, readCommitted: true });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async () => undefined });
    try {
      await waitFor(async () => ((await (await kafka.admin()).describeGroups([groupId])).groups[0]?.members.length ?? 0) > 0, 'a group member');
      const output: string[] = [];
      await replayCommand([], { brokers: testEndpoints().kafkaBrokers, group: groupId, topic: 'raw.testsrc.orders', 'to-earliest': true, 'dry-run': true }, (line) => output.push(line));
      expect(output.join('\n')).toMatch(/活跃成员.*active member/);
      await expect(
        replayCommand([], { brokers: testEndpoints().kafkaBrokers, group: groupId, topic: 'raw.testsrc.orders', 'to-earliest': true }, () => undefined),
      ).rejects.toMatchObject({ code: 'GROUP_ACTIVE' });
    } finally {
      await consumer.disconnect();
    }
    expect(await committedOffsets(kafka, groupId, topic)).toEqual(before);
  });

  it('bad flags and unknown names exit 2 with one bilingual line and change nothing', async () => {
    const before = await committedOffsets(kafka, groupId, topic);
    const base = ['replay', '--prefix', prefix, '--group', groupId, '--topic', 'raw.testsrc.orders'];
    const cases: [string[], RegExp][] = [
      [[...base, '--to-offsets', '0:99999'], /位点 offset 99999 不在 is outside/],
      [[...base, '--to-offsets', '7:0'], /没有分区 has no partition 7/],
      [[...base, '--to-time', '2026-13-01 00:00:00'], /--to-time/],
      [[...base, '--to-time', '2026-11-20 09:30:00', '--to-earliest'], /exactly one target/],
      [[...base, '--to-earliest', '--state', 'PARKED'], /does not take --state/],
      [['replay', '--prefix', prefix, '--group', 'yecai-nobody', '--topic', 'raw.testsrc.orders', '--to-earliest'], /未知消费组 unknown consumer group/],
      [['replay', '--prefix', prefix, '--group', groupId, '--topic', 'raw.testsrc.nothing', '--to-earliest'], /主题不存在 no such topic/],
      [['replay', '--prefix', prefix, '--group', groupId, '--topic', 'orders', '--to-earliest'], /not a yecai topic name/],
    ];
    for (const [args, message] of cases) {
      const result = yecai(args);
      expect({ args, code: result.code }).toEqual({ args, code: 2 });
      expect(result.stderr).toMatch(message);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(await committedOffsets(kafka, groupId, topic)).toEqual(before);
  });

  it('status reports the lag of a group per topic', async () => {
    const plainTopic = topics.canonical('lagcheck');
    const lagGroup = uniqueName('yecai-lagtest');
    await kafka.ensureTopics([{ topic: plainTopic, numPartitions: 1 }]);
    const producer = await kafka.producer();
    await producer.send({ topic: plainTopic, messages: Array.from({ length: 8 }, (_, i) => ({ value: `m${i}` })) });
    await (await kafka.admin()).setOffsets({ groupId: lagGroup, topic: plainTopic, partitions: [{ partition: 0, offset: '3' }] });
    const rows = await consumerLag(kafka, { group: lagGroup });
    expect(rows).toEqual([expect.objectContaining({ groupId: lagGroup, topic: plainTopic, partitions: 1, lag: 5n })]);
  });

  it('topics ensure creates topics by the convention (compacted checkpoints) and reports existing ones', async () => {
    const output: string[] = [];
    const flags = { brokers: testEndpoints().kafkaBrokers };
    await topicsCommand(['ensure', 'checkpoint.source_test', 'canonical.ensured'], flags, (line) => output.push(line));
    expect(output.filter((line) => line.startsWith('已创建 created'))).toHaveLength(2);
    const admin = await kafka.admin();
    const metadata = await admin.fetchTopicMetadata({ topics: [topics.checkpoint('source_test'), topics.canonical('ensured')] });
    expect(metadata.topics.map((t) => [t.name, t.partitions.length]).sort()).toEqual(
      [
        [topics.canonical('ensured'), 6],
        [topics.checkpoint('source_test'), 1],
      ].sort(),
    );
    const configs = await admin.describeConfigs({ resources: [{ type: 2, name: topics.checkpoint('source_test'), configNames: ['cleanup.policy'] }], includeSynonyms: false });
    expect(configs.resources[0]?.configEntries[0]?.configValue).toBe('compact');

    const again: string[] = [];
    await topicsCommand(['ensure', 'checkpoint.source_test'], flags, (line) => again.push(line));
    expect(again[0]).toMatch(/^已存在 exists/);
    const listed: string[] = [];
    await topicsCommand(['list'], flags, (line) => listed.push(line));
    expect(listed.find((line) => line.includes(topics.checkpoint('source_test')))).toMatch(/ok$/);
    // raw.testsrc.orders was made with 2 partitions and default retention: list flags the drift.
    expect(listed.find((line) => line.includes(topics.raw('testsrc', 'orders')))).toMatch(/偏离 drift: partitions 2 < 6/);
  });
});
