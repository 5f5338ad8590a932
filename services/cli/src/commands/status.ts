import type { KafkaClient } from '@yecai/kafka';
import { UsageError } from '../errors';
import { acceptOnly, applyPrefixFlag, kafkaFlags, stringFlag, table, withKafka, type OperatorFlags, type Print } from './operator-context';

export const STATUS_USAGE = `yecai status [--group <id>] [--all] [--brokers host:port]
  每个消费组、每个主题的积压 lag per consumer group and topic (yecai-* groups; --all for every group)`;

export interface GroupTopicLag {
  groupId: string;
  state: string;
  members: number;
  topic: string;
  partitions: number;
  /** Sum over partitions of high watermark − committed offset (partitions never committed count from low). */
  lag: bigint;
}

export async function statusCommand(args: string[], flags: OperatorFlags, print: Print = console.log): Promise<void> {
  acceptOnly('status', flags, kafkaFlags('group', 'all'));
  if (args.length) throw new UsageError(`status 不接受位置参数 takes no positional arguments: ${args.join(' ')}`);
  applyPrefixFlag(flags);
  const group = stringFlag(flags, 'group');
  await withKafka(flags, async (kafka) => {
    const rows = await consumerLag(kafka, { group, all: flags.all === true });
    if (rows.length === 0) {
      print(group ? `消费组 ${group} 没有提交过位点 group ${group} has no committed offsets` : '没有 yecai 消费组 no yecai consumer groups (--all for every group)');
      return;
    }
    for (const line of table([
      ['group', 'state', 'members', 'topic', 'partitions', '积压 lag'],
      ...rows.map((row) => [row.groupId, row.state, String(row.members), row.topic, String(row.partitions), String(row.lag)]),
    ])) {
      print(line);
    }
    // Transactional topics hold commit markers; a fully caught-up group can show a lag of 1 per partition.
    print('积压按位点计算（含事务标记）lag counts offsets, transaction markers included');
  });
}

export async function consumerLag(kafka: KafkaClient, options: { group?: string | undefined; all?: boolean }): Promise<GroupTopicLag[]> {
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
  const rows: GroupTopicLag[] = [];
  const watermarks = new Map<string, Awaited<ReturnType<typeof admin.fetchTopicOffsets>>>();
  for (const groupId of groupIds.sort()) {
    const description = descriptions.find((entry) => entry.groupId === groupId);
    const committed = await admin.fetchOffsets({ groupId });
    for (const { topic, partitions } of committed.sort((a, b) => a.topic.localeCompare(b.topic))) {
      if (!watermarks.has(topic)) watermarks.set(topic, await admin.fetchTopicOffsets(topic));
      let lag = 0n;
      for (const mark of watermarks.get(topic) ?? []) {
        const offset = BigInt(partitions.find((entry) => entry.partition === mark.partition)?.offset ?? '-1');
        lag += BigInt(mark.high) - (offset >= 0n ? offset : BigInt(mark.low));
      }
      rows.push({ groupId, state: description?.state ?? '?', members: description?.members.length ?? 0, topic, partitions: watermarks.get(topic)?.length ?? 0, lag });
    }
  }
  return rows;
}
