import { topicPrefix, type KafkaClient } from '@yecai/kafka';
import { countCommittedMessages, type OffsetRange } from './replay';
import { UsageError } from '../errors';
import { acceptOnly, applyPrefixFlag, kafkaFlags, stringFlag, table, withKafka, type OperatorFlags, type Print } from './operator-context';

export const STATUS_USAGE = `yecai status [--group <id>] [--all] [--brokers host:port] [--prefix yecai.]
  每个消费组、每个主题的积压（未消费的消息数，不含事务标记）lag per consumer group and topic: messages not yet
  consumed, transaction markers not counted (yecai-* groups; --all for every group; topics under the prefix —
  without --prefix the last \`yecai run\`'s, when it ran on this broker)`;

export interface GroupTopicLag {
  groupId: string;
  state: string;
  members: number;
  topic: string;
  partitions: number;
  /**
   * Committed messages (read_committed) after the group's committed offset, summed over partitions (partitions never
   * committed count from the earliest retained offset). Transaction markers and aborted records take offsets but are
   * no messages: a drained transactional topic has lag 0.
   */
  lag: bigint;
  /** True when a partition was too far behind to count its messages: `lag` then is its offset distance (≥ messages). */
  approximate: boolean;
}

/** Beyond this many offsets behind, a partition's lag is its offset distance rather than a count (reading is the cost). */
const COUNT_LIMIT = 10_000n;

export async function statusCommand(args: string[], flags: OperatorFlags, print: Print = console.log): Promise<void> {
  acceptOnly('status', flags, kafkaFlags('group', 'all'));
  if (args.length) throw new UsageError(`status 不接受位置参数 takes no positional arguments: ${args.join(' ')}`);
  applyPrefixFlag(flags);
  const group = stringFlag(flags, 'group');
  await withKafka(
    flags,
    async (kafka) => {
      const rows = await consumerLag(kafka, { group, all: flags.all === true, topicPrefix: topicPrefix() });
      if (rows.length === 0) {
        print(group ? `消费组 ${group} 没有提交过位点 group ${group} has no committed offsets under ${topicPrefix()}` : `没有 yecai 消费组读 ${topicPrefix()} 下的主题 no yecai consumer group reads topics under ${topicPrefix()} (--all for every group, --prefix)`);
        return;
      }
      for (const line of table([
        ['group', 'state', 'members', 'topic', 'partitions', '积压 lag'],
        ...rows.map((row) => [row.groupId, row.state, String(row.members), row.topic, String(row.partitions), `${row.approximate ? '≤' : ''}${row.lag}`]),
      ])) {
        print(line);
      }
      print('积压 = 尚未消费的消息数（事务标记不计）lag = messages not yet consumed (transaction markers not counted)');
      if (rows.some((row) => row.approximate)) print(`≤ 积压超过 ${COUNT_LIMIT} 个位点的分区按位点差计 partitions more than ${COUNT_LIMIT} offsets behind show their offset distance`);
    },
    { print, useCurrentRun: true },
  );
}

export async function consumerLag(
  kafka: KafkaClient,
  options: { group?: string | undefined; all?: boolean; topicPrefix?: string },
): Promise<GroupTopicLag[]> {
  const admin = await kafka.admin();
  const { groups } = await admin.listGroups();
  let groupIds = groups.map((entry) => entry.groupId);
  if (options.group) {
    if (!groupIds.includes(options.group)) throw new UsageError(`未知消费组 unknown consumer group "${options.group}"`);
    groupIds = [options.group];
  } else if (!options.all) {
    // yecai's own groups (docs/architecture.md); the CLI's throw-away counting groups are not services.
    groupIds = groupIds.filter((id) => id.startsWith('yecai-') && !id.startsWith('yecai-cli-'));
  }
  const descriptions = groupIds.length ? (await admin.describeGroups(groupIds)).groups : [];
  const watermarks = new Map<string, Awaited<ReturnType<typeof admin.fetchTopicOffsets>>>();
  // Per group and topic, the partitions behind: [committed, last stable offset) holds their unconsumed messages.
  const behind: { row: GroupTopicLag; ranges: OffsetRange[] }[] = [];
  for (const groupId of groupIds.sort()) {
    const description = descriptions.find((entry) => entry.groupId === groupId);
    const committed = await admin.fetchOffsets({ groupId });
    for (const { topic, partitions } of committed.sort((a, b) => a.topic.localeCompare(b.topic))) {
      if (options.topicPrefix && !topic.startsWith(options.topicPrefix)) continue;
      // The admin lists offsets read_committed: `high` is the last stable offset, so an open transaction is not lag yet.
      if (!watermarks.has(topic)) watermarks.set(topic, await admin.fetchTopicOffsets(topic));
      const row: GroupTopicLag = { groupId, state: description?.state ?? '?', members: description?.members.length ?? 0, topic, partitions: watermarks.get(topic)?.length ?? 0, lag: 0n, approximate: false };
      const ranges: OffsetRange[] = [];
      for (const mark of watermarks.get(topic) ?? []) {
        const offset = BigInt(partitions.find((entry) => entry.partition === mark.partition)?.offset ?? '-1');
        const from = offset >= 0n ? offset : BigInt(mark.low);
        const to = BigInt(mark.high);
        if (to <= from) continue;
        if (to - from > COUNT_LIMIT) {
          row.lag += to - from;
          row.approximate = true;
        } else {
          ranges.push({ topic, partition: mark.partition, from, to });
        }
      }
      behind.push({ row, ranges });
    }
  }
  // One read for every range of every group: offsets count transaction markers, only messages are lag.
  const unique = new Map(behind.flatMap(({ ranges }) => ranges).map((range) => [`${range.topic}/${range.partition}/${range.from}`, range]));
  const counts = await countCommittedMessagesPerRange([...unique.values()]);
  for (const { row, ranges } of behind) {
    for (const range of ranges) row.lag += BigInt(counts.get(`${range.topic}/${range.partition}/${range.from}`) ?? 0);
  }
  return behind.map(({ row }) => row);

  /** countCommittedMessages takes one range per partition; groups at different offsets of one partition take turns. */
  async function countCommittedMessagesPerRange(ranges: OffsetRange[]): Promise<Map<string, number>> {
    const result = new Map<string, number>();
    let remaining = ranges;
    while (remaining.length) {
      const seen = new Set<string>();
      const batch = remaining.filter((range) => {
        const key = `${range.topic}/${range.partition}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });
      remaining = remaining.filter((range) => !batch.includes(range));
      const counts = await countCommittedMessages(kafka, batch);
      for (const range of batch) result.set(`${range.topic}/${range.partition}/${range.from}`, counts.get(`${range.topic}/${range.partition}`) ?? 0);
    }
    return result;
  }
}
