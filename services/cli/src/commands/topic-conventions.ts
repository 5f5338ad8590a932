import { topicPrefix, topics, type TopicSpec } from '@yecai/kafka';
import { UsageError } from '../errors';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface TopicConvention {
  kind: 'raw' | 'canonical' | 'checkpoint' | 'masterdata';
  pattern: string;
  partitions: number;
  compacted: boolean;
  /** null = keep forever (compacted topics keep the latest value per key). */
  retentionMs: number | null;
  why: string;
  /** Builds the full topic name from the parts after the kind, through libs/kafka (the one place names are spelled). */
  build: (parts: string[]) => string;
  extraConfig?: Record<string, string>;
}

/**
 * How yecai topics are configured (docs/operations.md § Topics). Partitions bound the parallelism of the consuming
 * service (one consumer instance per partition at most); raw and canonical retention is the replay window.
 */
export const TOPIC_CONVENTIONS: readonly TopicConvention[] = [
  {
    kind: 'raw',
    pattern: 'raw.<source>.<docType>',
    partitions: 6,
    compacted: false,
    retentionMs: 30 * DAY_MS,
    why: '原始单据，保留 30 天可重放 raw documents; 30-day replay window',
    build: ([source, docType]) => topics.raw(source ?? '', docType ?? ''),
  },
  {
    kind: 'canonical',
    pattern: 'canonical.<docType>',
    partitions: 6,
    compacted: false,
    retentionMs: 30 * DAY_MS,
    why: '标准业务事件，保留 30 天可重放 canonical events; 30-day replay window',
    build: ([docType]) => topics.canonical(docType ?? ''),
  },
  {
    kind: 'checkpoint',
    pattern: 'checkpoint.<service>',
    partitions: 1,
    compacted: true,
    retentionMs: null,
    why: '同步游标，压缩，永久 stream cursors; compacted, kept forever',
    build: ([service]) => topics.checkpoint(service ?? ''),
    // connector-kit keeps a dedup set in each checkpoint: allow large values (same as libs/connector-kit runtime).
    extraConfig: { 'max.message.bytes': String(8 * 1024 * 1024) },
  },
  {
    kind: 'masterdata',
    pattern: 'masterdata.<entity>',
    partitions: 1,
    compacted: true,
    retentionMs: null,
    why: '主数据变更通知，压缩 master-data change notices; compacted',
    build: ([entity]) => topics.masterData(entity ?? ''),
  },
];

export interface ResolvedTopic {
  name: string;
  logicalName: string;
  convention: TopicConvention;
}

/**
 * Accepts a topic by its logical name (`raw.jushuitan.sales_outstock`) or its full name (with the prefix) and
 * returns the full name and its convention; anything that does not follow the naming convention is a usage error.
 */
export function resolveTopic(name: string): ResolvedTopic {
  const prefix = topicPrefix();
  const logicalName = prefix && name.startsWith(prefix) ? name.slice(prefix.length) : name;
  const [kind, ...parts] = logicalName.split('.');
  const convention = TOPIC_CONVENTIONS.find((candidate) => candidate.kind === kind);
  const expectedParts = convention ? convention.pattern.split('.').length - 1 : 0;
  if (!convention || parts.length !== expectedParts) {
    throw new UsageError(
      `不是 yecai 的主题名 not a yecai topic name: "${name}" — 应为 expected ${TOPIC_CONVENTIONS.map((c) => c.pattern).join(' | ')} (前缀 prefix "${prefix}" 可省略 optional)`,
    );
  }
  let full: string;
  try {
    full = convention.build(parts);
  } catch (error) {
    throw new UsageError(`主题名不合法 bad topic name "${name}": ${(error as Error).message}`);
  }
  return { name: full, logicalName, convention };
}

export function topicSpec(topic: ResolvedTopic): TopicSpec {
  const { convention } = topic;
  return {
    topic: topic.name,
    numPartitions: convention.partitions,
    compacted: convention.compacted,
    ...(convention.retentionMs === null ? { configEntries: { 'retention.ms': '-1', ...convention.extraConfig } } : { retentionMs: convention.retentionMs }),
  };
}

export function formatRetention(ms: number | null): string {
  if (ms === null || ms < 0) return '永久 forever';
  if (ms % DAY_MS === 0) return `${ms / DAY_MS}d`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  return `${ms}ms`;
}
