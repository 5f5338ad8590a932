import { TOPIC_SETTINGS, topicPrefix, type KafkaAdmin, type KafkaClient } from '@yecai/kafka';
import { UsageError } from '../errors';
import { acceptOnly, applyPrefixFlag, kafkaFlags, table, withKafka, type OperatorFlags, type Print } from './operator-context';
import { formatRetention, resolveTopic, type ResolvedTopic } from './topic-conventions';

export const TOPICS_USAGE = `yecai topics <ensure|list|describe|conventions> [--brokers host:port] [--prefix yecai.]
  ensure <topic>…       按约定创建缺少的主题 create missing topics by the convention (existing ones untouched)
                        例 e.g. yecai topics ensure raw.jushuitan.sales_outstock canonical.sales_outstock checkpoint.source_jushuitan
  list                  列出本前缀的主题及其与约定的偏差 topics under the prefix, flagged where they drift from the convention
  describe <topic>      分区、首领、位点与配置 partitions, leaders, offsets and configs
  conventions           主题约定表 the convention table`;

const TOPIC_RESOURCE = 2; // kafkajs ConfigResourceTypes.TOPIC
const CONFIG_NAMES = ['cleanup.policy', 'retention.ms'];

export async function topicsCommand(args: string[], flags: OperatorFlags, print: Print = console.log): Promise<void> {
  const [action, ...names] = args;
  acceptOnly(`topics ${action ?? ''}`.trim(), flags, action === 'conventions' ? ['prefix'] : kafkaFlags());
  applyPrefixFlag(flags);
  switch (action) {
    case 'conventions':
      if (names.length) throw new UsageError(`topics conventions 不接受参数 takes no arguments: ${names.join(' ')}`);
      for (const line of conventionTable()) print(line);
      return;
    case 'ensure': {
      if (names.length === 0) throw new UsageError('topics ensure 需要主题名 needs topic names, e.g. raw.jushuitan.sales_outstock — see `yecai help`');
      const resolved = names.map(resolveTopic); // every name checked before anything is created
      await withKafka(flags, async (kafka) => {
        const created = new Set(await kafka.ensureTopics(resolved.map((topic) => ({ topic: topic.name }))));
        for (const topic of resolved) print(`${created.has(topic.name) ? '已创建 created ' : '已存在 exists  '} ${topic.name}`);
        const drift = await describeTopics(await kafka.admin(), resolved.filter((topic) => !created.has(topic.name)));
        for (const row of drift) if (row.drift.length) print(`  注意 note: ${row.name} 与约定不同 differs from the convention: ${row.drift.join('; ')}`);
      });
      return;
    }
    case 'list':
      if (names.length) throw new UsageError(`topics list 不接受参数 takes no arguments: ${names.join(' ')}`);
      await withKafka(flags, async (kafka) => {
        for (const line of await listTopics(kafka)) print(line);
      });
      return;
    case 'describe': {
      if (names.length !== 1) throw new UsageError(`topics describe 需要一个主题名 needs exactly one topic name`);
      const topic = resolveTopic(names[0] ?? '');
      await withKafka(flags, async (kafka) => {
        for (const line of await describeTopic(kafka, topic)) print(line);
      });
      return;
    }
    default:
      throw new UsageError(`${action ? `未知的 topics 子命令 unknown topics action "${action}"` : 'topics 需要子命令 needs an action'}: ensure, list, describe, conventions — see \`yecai help\``);
  }
}

export function conventionTable(): string[] {
  return table([
    ['pattern', 'partitions', 'cleanup', 'retention', '说明 why'],
    ...TOPIC_SETTINGS.map((c) => [`${topicPrefix()}${c.pattern}`, String(c.partitions), c.compacted ? 'compact' : 'delete', formatRetention(c.retentionMs), c.why]),
  ]);
}

interface TopicRow {
  name: string;
  partitions: number;
  cleanup: string;
  retentionMs: number | null;
  drift: string[];
}

async function describeTopics(admin: KafkaAdmin, resolved: ResolvedTopic[]): Promise<TopicRow[]> {
  if (resolved.length === 0) return [];
  const metadata = await admin.fetchTopicMetadata({ topics: resolved.map((topic) => topic.name) });
  const configs = await admin.describeConfigs({
    resources: resolved.map((topic) => ({ type: TOPIC_RESOURCE, name: topic.name, configNames: CONFIG_NAMES })),
    includeSynonyms: false,
  });
  return resolved.map((topic) => {
    const partitions = metadata.topics.find((entry) => entry.name === topic.name)?.partitions.length ?? 0;
    const entries = configs.resources.find((resource) => resource.resourceName === topic.name)?.configEntries ?? [];
    const cleanup = entries.find((entry) => entry.configName === 'cleanup.policy')?.configValue ?? 'delete';
    const retentionText = entries.find((entry) => entry.configName === 'retention.ms')?.configValue;
    const retentionMs = retentionText === undefined || Number(retentionText) < 0 ? null : Number(retentionText);
    const { convention } = topic;
    const drift: string[] = [];
    // Fewer partitions than the convention caps the consumers' parallelism; more is an operator's deliberate choice.
    if (partitions < convention.partitions) drift.push(`partitions ${partitions} < ${convention.partitions}`);
    if (cleanup.includes('compact') !== convention.compacted) drift.push(`cleanup.policy ${cleanup} ≠ ${convention.compacted ? 'compact' : 'delete'}`);
    if (!convention.compacted && retentionMs !== convention.retentionMs) drift.push(`retention ${formatRetention(retentionMs)} ≠ ${formatRetention(convention.retentionMs)}`);
    return { name: topic.name, partitions, cleanup, retentionMs, drift };
  });
}

async function listTopics(kafka: KafkaClient): Promise<string[]> {
  const admin = await kafka.admin();
  const prefix = topicPrefix();
  const names = (await admin.listTopics()).filter((name) => name.startsWith(prefix)).sort();
  const known: ResolvedTopic[] = [];
  const unknown: string[] = [];
  for (const name of names) {
    try {
      known.push(resolveTopic(name));
    } catch {
      unknown.push(name);
    }
  }
  const rows = await describeTopics(admin, known);
  const lines = table([
    ['topic', 'partitions', 'cleanup', 'retention', '约定 convention'],
    ...rows.map((row) => [row.name, String(row.partitions), row.cleanup, formatRetention(row.retentionMs), row.drift.length ? `偏离 drift: ${row.drift.join('; ')}` : 'ok']),
    ...unknown.map((name) => [name, '', '', '', '不符合命名约定 not a yecai topic name']),
  ]);
  if (names.length === 0) return [`前缀 "${prefix}" 下没有主题 no topics under the prefix "${prefix}"`];
  return lines;
}

async function describeTopic(kafka: KafkaClient, topic: ResolvedTopic): Promise<string[]> {
  const admin = await kafka.admin();
  if (!(await admin.listTopics()).includes(topic.name)) throw new UsageError(`主题不存在 no such topic: ${topic.name}`);
  const [row] = await describeTopics(admin, [topic]);
  const metadata = await admin.fetchTopicMetadata({ topics: [topic.name] });
  const offsets = await admin.fetchTopicOffsets(topic.name);
  const partitions = [...(metadata.topics[0]?.partitions ?? [])].sort((a, b) => a.partitionId - b.partitionId);
  const lines = [
    `${topic.name}  (${topic.convention.pattern})`,
    `  cleanup.policy=${row?.cleanup}  retention=${formatRetention(row?.retentionMs ?? null)}  ${row?.drift.length ? `偏离 drift: ${row.drift.join('; ')}` : '符合约定 matches the convention'}`,
  ];
  return lines.concat(
    table([
      ['partition', 'leader', 'replicas', 'isr', 'low', 'high', 'messages≈'],
      ...partitions.map((partition) => {
        const offset = offsets.find((entry) => entry.partition === partition.partitionId);
        const low = offset?.low ?? '?';
        const high = offset?.high ?? '?';
        return [
          String(partition.partitionId),
          String(partition.leader),
          partition.replicas.join(','),
          partition.isr.join(','),
          low,
          high,
          offset ? String(Number(high) - Number(low)) : '?',
        ];
      }),
    ]).map((line) => `  ${line}`),
  );
}
