/**
 * How every yecai topic is configured, per kind: the one table that `KafkaClient.ensureTopics` (so every service at
 * start), `yecai topics ensure|list|conventions` and docs/operations.md § Topics follow. Partitions bound the
 * parallelism of the consuming service (one consumer instance per partition at most, so deploy/k8s keeps mapping's
 * replicas within the raw topics' partitions); raw and canonical retention is the replay window.
 *
 * There is no dead-letter topic kind: a document that cannot go on is parked in MongoDB (libs/parking), where an
 * operator fixes and retries it.
 */
import type { TopicSpec } from './client';
import { topicPrefix, topics } from './topics';

const DAY_MS = 24 * 60 * 60 * 1000;

export type TopicKind = 'raw' | 'canonical' | 'checkpoint' | 'masterdata';

export interface TopicSettings {
  kind: TopicKind;
  /** The name after the prefix. */
  pattern: string;
  partitions: number;
  compacted: boolean;
  /** null = kept forever (compacted topics keep the latest value per key). */
  retentionMs: number | null;
  /** Further broker configs of the kind. */
  configEntries: Readonly<Record<string, string>>;
  /** Shown by `yecai topics conventions`. */
  why: string;
  /** The full topic name from the parts after the kind, through `topics` (the one place names are spelled). */
  build: (parts: string[]) => string;
}

export const TOPIC_SETTINGS: readonly TopicSettings[] = [
  {
    kind: 'raw',
    pattern: 'raw.<source>.<docType>',
    partitions: 6,
    compacted: false,
    retentionMs: 30 * DAY_MS,
    configEntries: {},
    why: '原始单据，保留 30 天可重放 raw documents; 30-day replay window',
    build: ([source, docType]) => topics.raw(source ?? '', docType ?? ''),
  },
  {
    kind: 'canonical',
    pattern: 'canonical.<docType>',
    partitions: 6,
    compacted: false,
    retentionMs: 30 * DAY_MS,
    configEntries: {},
    why: '标准业务事件，保留 30 天可重放 canonical events; 30-day replay window',
    build: ([docType]) => topics.canonical(docType ?? ''),
  },
  {
    kind: 'checkpoint',
    pattern: 'checkpoint.<service>',
    // Read in full at every start: one partition.
    partitions: 1,
    compacted: true,
    retentionMs: null,
    // connector-kit keeps a dedup set in each checkpoint: room for large values.
    configEntries: { 'max.message.bytes': String(8 * 1024 * 1024) },
    why: '同步游标，压缩，永久 stream cursors; compacted, kept forever',
    build: ([service]) => topics.checkpoint(service ?? ''),
  },
  {
    kind: 'masterdata',
    pattern: 'masterdata.<entity>',
    partitions: 1,
    compacted: true,
    retentionMs: null,
    configEntries: {},
    why: '主数据变更通知，压缩 master-data change notices; compacted',
    build: ([entity]) => topics.masterData(entity ?? ''),
  },
];

/** Partitions of a topic outside the naming convention (tests, `yecai stack smoke`) when its spec names none. */
const UNCONVENTIONAL_PARTITIONS = 6;

/**
 * A name without the prefix (`raw.jushuitan.sales_outstock`) split into its kind's settings and the parts after the
 * kind; undefined for a name outside the convention.
 */
export function parseLogicalTopic(logicalName: string): { settings: TopicSettings; parts: string[] } | undefined {
  const [kind, ...parts] = logicalName.split('.');
  const settings = TOPIC_SETTINGS.find((candidate) => candidate.kind === kind);
  return settings && parts.length === settings.pattern.split('.').length - 1 ? { settings, parts } : undefined;
}

/** The settings of a full topic name under the current prefix; undefined for a name outside the convention. */
export function topicSettings(topic: string): TopicSettings | undefined {
  const prefix = topicPrefix();
  return topic.startsWith(prefix) ? parseLogicalTopic(topic.slice(prefix.length))?.settings : undefined;
}

/**
 * The spec `ensureTopics` creates a topic with: the table's settings for its kind, under what the spec says itself
 * (tests ask for fewer partitions).
 */
export function withTopicSettings(spec: TopicSpec): TopicSpec & { numPartitions: number } {
  const settings = topicSettings(spec.topic);
  if (!settings) return { ...spec, numPartitions: spec.numPartitions ?? UNCONVENTIONAL_PARTITIONS };
  const retention = spec.retentionMs ?? settings.retentionMs;
  return {
    topic: spec.topic,
    numPartitions: spec.numPartitions ?? settings.partitions,
    compacted: spec.compacted ?? settings.compacted,
    ...(retention === null ? {} : { retentionMs: retention }),
    configEntries: {
      ...(retention === null ? { 'retention.ms': '-1' } : {}),
      ...settings.configEntries,
      ...spec.configEntries,
    },
  };
}
