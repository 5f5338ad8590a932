import { randomBytes } from 'node:crypto';
import { YecaiError, errorMessage, formatBeijingTime, parseBeijingTime } from '@yecai/common';
import type { KafkaClient } from '@yecai/kafka';
import { UsageError } from '../errors';
import { acceptOnly, applyPrefixFlag, kafkaFlags, stringFlag, table, withKafka, type OperatorFlags, type Print } from './operator-context';
import { resolveTopic } from './topic-conventions';

export const REPLAY_USAGE = `yecai replay (--service <name> | --group <id>) --topic <topic>[,<topic>…] <target> [--dry-run] [--brokers host:port] [--prefix yecai.]
  把服务的消费组位点移到某一时刻或位点，服务重启后从那里重新处理 — move a service's consumer group back (or forward);
  the service reprocesses from there when it starts again. 服务必须先停止 the service must be stopped (no active members).
  --service mapping         消费组 consumer group yecai-<service> (or --group for any group)
  --topic                   主题 topics (逻辑名或全名 logical or full names), e.g. raw.jushuitan.sales_outstock
  target, exactly one of:
    --to-time "2026-11-20 00:00:00"   北京时间 Beijing time (or ISO 8601 with a zone, e.g. 2026-11-19T16:00:00Z)
    --to-offsets 0:120,1:98           分区:位点 partition:offset (one topic only; unlisted partitions stay)
    --to-earliest                     最早位点 the earliest retained offset
  --dry-run                 只显示每个分区将重新处理的消息数 only show, per partition, how many messages will be reprocessed`;

export type ReplayTarget = { kind: 'time'; atMs: number } | { kind: 'offsets'; offsets: Map<number, bigint> } | { kind: 'earliest' };

export interface PartitionPlan {
  topic: string;
  partition: number;
  /** Offset the group has committed; null when it never committed on this partition. */
  committed: bigint | null;
  target: bigint;
  low: bigint;
  high: bigint;
  /** Committed messages in [target, committed): processed before, processed again after the replay. */
  reprocess: number;
  /** Committed messages in [committed, target): never processed, jumped over by a forward move. */
  skip: number;
}

export interface ReplayPlan {
  groupId: string;
  activeMembers: number;
  partitions: PartitionPlan[];
}

export async function replayCommand(args: string[], flags: OperatorFlags, print: Print = console.log): Promise<void> {
  acceptOnly('replay', flags, kafkaFlags('service', 'group', 'topic', 'to-time', 'to-offsets', 'to-earliest', 'dry-run'));
  if (args.length) throw new UsageError(`replay 不接受位置参数 takes no positional arguments: ${args.join(' ')} — see \`yecai help\``);
  applyPrefixFlag(flags);
  const groupId = groupFromFlags(flags);
  const topicNames = (stringFlag(flags, 'topic') ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  if (topicNames.length === 0) throw new UsageError('replay 需要 --topic needs --topic <topic>[,<topic>…]');
  const topicsToMove = [...new Set(topicNames.map((name) => resolveTopic(name).name))];
  const target = targetFromFlags(flags, topicsToMove.length);
  const dryRun = flags['dry-run'] === true;

  await withKafka(flags, async (kafka) => {
    const plan = await planReplay(kafka, groupId, topicsToMove, target);
    if (target.kind === 'time') print(`目标时间 target time ${formatBeijingTime(target.atMs)} (北京时间 Beijing)`);
    for (const line of describePlan(plan)) print(line);
    if (dryRun) {
      print('演练 dry run: 未改变任何位点 no offset was changed.');
      return;
    }
    await applyReplay(kafka, plan);
    print(`已移动位点 offsets moved for group ${groupId}. 启动服务即开始重新处理 start the service to reprocess.`);
  });
}

function groupFromFlags(flags: OperatorFlags): string {
  const service = stringFlag(flags, 'service');
  const group = stringFlag(flags, 'group');
  if (service && group) throw new UsageError('--service 与 --group 只能用一个 use either --service or --group, not both');
  if (service) {
    if (!/^[a-z0-9][a-z0-9_-]*$/.test(service)) throw new UsageError(`--service: "${service}" 不是服务名 is not a service name (e.g. mapping, sink-kingdee)`);
    return `yecai-${service}`; // docs/architecture.md: consumer groups are yecai-<service>
  }
  if (group) return group;
  throw new UsageError('replay 需要 --service 或 --group needs --service <name> or --group <id>');
}

export function targetFromFlags(flags: OperatorFlags, topicCount: number): ReplayTarget {
  const time = stringFlag(flags, 'to-time');
  const offsets = stringFlag(flags, 'to-offsets');
  const earliest = flags['to-earliest'] === true;
  const given = [time !== undefined, offsets !== undefined, earliest].filter(Boolean).length;
  if (given !== 1) throw new UsageError('需要且只能有一个目标 exactly one target: --to-time, --to-offsets or --to-earliest');
  if (earliest) return { kind: 'earliest' };
  if (time !== undefined) return { kind: 'time', atMs: parseTime(time) };
  if (topicCount !== 1) throw new UsageError('--to-offsets 只能用于一个主题 applies to exactly one --topic');
  const map = new Map<number, bigint>();
  for (const item of (offsets ?? '').split(',')) {
    const match = /^\s*(\d+)\s*:\s*(\d+)\s*$/.exec(item);
    if (!match) throw new UsageError(`--to-offsets: "${item}" 应为 分区:位点 must be partition:offset, e.g. 0:120,1:98`);
    const partition = Number(match[1]);
    if (map.has(partition)) throw new UsageError(`--to-offsets: 分区 ${partition} 重复 partition ${partition} given twice`);
    map.set(partition, BigInt(match[2] ?? '0'));
  }
  return { kind: 'offsets', offsets: map };
}

/** Beijing wall-clock time (how every person in the company reads times), or ISO 8601 with an explicit zone. */
function parseTime(text: string): number {
  if (/^\d{4}-\d{2}-\d{2}T.*(Z|[+-]\d{2}:?\d{2})$/.test(text)) {
    const ms = Date.parse(text);
    if (!Number.isNaN(ms)) return ms;
  }
  try {
    return parseBeijingTime(text, '--to-time');
  } catch (error) {
    throw new UsageError(`--to-time: "${text}" 应为北京时间 must be Beijing time "yyyy-MM-dd HH:mm:ss" or ISO 8601 with a zone (${errorMessage(error)})`);
  }
}

/** Works out every partition's move without changing anything; names and targets are all checked here. */
export async function planReplay(kafka: KafkaClient, groupId: string, topicsToMove: string[], target: ReplayTarget): Promise<ReplayPlan> {
  const admin = await kafka.admin();
  const { groups } = await admin.listGroups();
  if (!groups.some((group) => group.groupId === groupId)) {
    throw new UsageError(`未知消费组 unknown consumer group "${groupId}" — \`yecai status --all\` 列出全部 lists all groups`);
  }
  const description = (await admin.describeGroups([groupId])).groups[0];
  const existing = new Set(await admin.listTopics());
  const missing = topicsToMove.filter((topic) => !existing.has(topic));
  if (missing.length) throw new UsageError(`主题不存在 no such topic: ${missing.join(', ')}`);

  const committedByTopic = await admin.fetchOffsets({ groupId, topics: topicsToMove });
  const partitions: PartitionPlan[] = [];
  for (const topic of topicsToMove) {
    const watermarks = await admin.fetchTopicOffsets(topic);
    const byTime = target.kind === 'time' ? await admin.fetchTopicOffsetsByTimestamp(topic, target.atMs) : [];
    if (target.kind === 'offsets') {
      for (const [partition, offset] of target.offsets) {
        const mark = watermarks.find((entry) => entry.partition === partition);
        if (!mark) throw new UsageError(`--to-offsets: ${topic} 没有分区 has no partition ${partition} (0…${watermarks.length - 1})`);
        if (offset < BigInt(mark.low) || offset > BigInt(mark.high)) {
          throw new UsageError(`--to-offsets: 分区 partition ${partition} 位点 offset ${offset} 不在 is outside ${mark.low}…${mark.high}`);
        }
      }
    }
    const committedPartitions = committedByTopic.find((entry) => entry.topic === topic)?.partitions ?? [];
    for (const mark of [...watermarks].sort((a, b) => a.partition - b.partition)) {
      const committedText = committedPartitions.find((entry) => entry.partition === mark.partition)?.offset ?? '-1';
      const committed = BigInt(committedText) >= 0n ? BigInt(committedText) : null;
      const low = BigInt(mark.low);
      const high = BigInt(mark.high);
      let partitionTarget: bigint | undefined;
      if (target.kind === 'earliest') partitionTarget = low;
      else if (target.kind === 'time') partitionTarget = BigInt(byTime.find((entry) => entry.partition === mark.partition)?.offset ?? mark.high);
      else partitionTarget = target.offsets.get(mark.partition);
      if (partitionTarget === undefined) continue; // --to-offsets leaves unlisted partitions where they are
      partitions.push({ topic, partition: mark.partition, committed, target: partitionTarget, low, high, reprocess: 0, skip: 0 });
    }
  }
  // Offsets count transaction markers and aborted records too: count what a read_committed service will really see.
  const reprocessRanges = partitions.filter((p) => p.committed !== null && p.target < p.committed);
  const skipRanges = partitions.filter((p) => p.committed !== null && p.target > p.committed);
  const reprocessCounts = await countCommittedMessages(kafka, reprocessRanges.map((p) => ({ topic: p.topic, partition: p.partition, from: p.target, to: p.committed ?? p.target })));
  const skipCounts = await countCommittedMessages(kafka, skipRanges.map((p) => ({ topic: p.topic, partition: p.partition, from: p.committed ?? p.target, to: p.target })));
  for (const p of partitions) {
    p.reprocess = reprocessCounts.get(`${p.topic}/${p.partition}`) ?? 0;
    p.skip = skipCounts.get(`${p.topic}/${p.partition}`) ?? 0;
  }
  return { groupId, activeMembers: description?.members.length ?? 0, partitions };
}

export function describePlan(plan: ReplayPlan): string[] {
  const lines = [`消费组 group ${plan.groupId}`];
  lines.push(
    ...table([
      ['topic', 'partition', 'committed', '→ target', 'high', '重新处理 reprocess', '跳过 skip'],
      ...plan.partitions.map((p) => [p.topic, String(p.partition), p.committed === null ? '-' : String(p.committed), String(p.target), String(p.high), String(p.reprocess), String(p.skip)]),
    ]).map((line) => `  ${line}`),
  );
  const reprocess = plan.partitions.reduce((sum, p) => sum + p.reprocess, 0);
  const skip = plan.partitions.reduce((sum, p) => sum + p.skip, 0);
  lines.push(`合计 total: 重新处理 ${reprocess} 条 messages reprocessed, 跳过 ${skip} 条 skipped`);
  if (skip > 0) lines.push('警告 warning: 向前移动会跳过从未处理的消息 moving forward skips messages that were never processed');
  const neverCommitted = plan.partitions.filter((p) => p.committed === null).length;
  if (neverCommitted) lines.push(`注意 note: ${neverCommitted} 个分区从未提交位点 partitions never committed; they start at the target`);
  if (plan.activeMembers > 0) lines.push(activeGroupMessage(plan));
  return lines;
}

function activeGroupMessage(plan: ReplayPlan): string {
  return `消费组 ${plan.groupId} 有 ${plan.activeMembers} 个活跃成员，请先停止服务 — group ${plan.groupId} has ${plan.activeMembers} active member(s): stop the service first (e.g. kubectl scale --replicas=0)`;
}

/** Moves the offsets of a plan; refuses while the group has members (they would overwrite the move on commit). */
export async function applyReplay(kafka: KafkaClient, plan: ReplayPlan): Promise<void> {
  const admin = await kafka.admin();
  const members = (await admin.describeGroups([plan.groupId])).groups[0]?.members.length ?? 0;
  if (members > 0) {
    throw new YecaiError(activeGroupMessage({ ...plan, activeMembers: members }), { code: 'GROUP_ACTIVE', level: 2, retriable: false });
  }
  const byTopic = new Map<string, PartitionPlan[]>();
  for (const p of plan.partitions) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p]);
  for (const [topic, partitions] of byTopic) {
    await admin.setOffsets({ groupId: plan.groupId, topic, partitions: partitions.map((p) => ({ partition: p.partition, offset: String(p.target) })) });
  }
}

export interface OffsetRange {
  topic: string;
  partition: number;
  from: bigint;
  /** Exclusive. */
  to: bigint;
}

/**
 * Counts the committed (read_committed) messages in each offset range by reading them with a throw-away consumer
 * group that never commits. Returns `topic/partition` → count.
 */
export async function countCommittedMessages(kafka: KafkaClient, ranges: OffsetRange[], timeoutMs = 60_000): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const pending = ranges.filter((range) => range.to > range.from);
  if (pending.length === 0) return counts;
  const keyOf = (topic: string, partition: number) => `${topic}/${partition}`;
  const rangeByKey = new Map(pending.map((range) => [keyOf(range.topic, range.partition), range]));
  const seen = new Map<string, Set<string>>(); // offsets, so a fetch from before the seek is not counted twice
  const done = new Set<string>();
  const consumer = kafka.consumer({ groupId: `yecai-cli-count-${randomBytes(6).toString('hex')}`, readCommitted: true });
  const markIfDone = (topic: string, partition: number, lastOffset: string | null | undefined) => {
    const range = rangeByKey.get(keyOf(topic, partition));
    if (range && lastOffset !== null && lastOffset !== undefined && BigInt(lastOffset) >= range.to - 1n) done.add(keyOf(topic, partition));
  };
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => markIfDone(payload.topic, payload.partition, payload.lastOffset));
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [...new Set(pending.map((range) => range.topic))], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const key = keyOf(batch.topic, batch.partition);
        const range = rangeByKey.get(key);
        if (!range) return;
        const offsets = seen.get(key) ?? new Set<string>();
        seen.set(key, offsets);
        for (const message of batch.messages) {
          const offset = BigInt(message.offset);
          if (offset >= range.from && offset < range.to) offsets.add(message.offset);
        }
      },
    });
    for (const range of pending) consumer.seek({ topic: range.topic, partition: range.partition, offset: String(range.from) });
    const deadline = Date.now() + timeoutMs;
    while (done.size < pending.length) {
      if (Date.now() > deadline) {
        const open = pending.filter((range) => !done.has(keyOf(range.topic, range.partition))).map((range) => keyOf(range.topic, range.partition));
        throw new YecaiError(`counting messages timed out after ${timeoutMs} ms on ${open.join(', ')}`, {
          code: 'COUNT_TIMEOUT',
          level: 3,
          retriable: true,
          userMessage: `数消息超时 counting messages timed out on ${open.join(', ')}`,
        });
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await consumer.disconnect();
  }
  for (const [key, offsets] of seen) counts.set(key, offsets.size);
  return counts;
}
