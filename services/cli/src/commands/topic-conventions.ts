import { TOPIC_SETTINGS, parseLogicalTopic, topicPrefix, type TopicSettings } from '@yecai/kafka';
import { UsageError } from '../errors';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface ResolvedTopic {
  name: string;
  logicalName: string;
  /** Its kind's row of the topic settings table (libs/kafka/src/topic-settings.ts). */
  convention: TopicSettings;
}

/**
 * Accepts a topic by its logical name (`raw.jushuitan.sales_outstock`) or its full name (with the prefix) and
 * returns the full name and its convention; anything that does not follow the naming convention is a usage error.
 */
export function resolveTopic(name: string): ResolvedTopic {
  const prefix = topicPrefix();
  const logicalName = prefix && name.startsWith(prefix) ? name.slice(prefix.length) : name;
  const parsed = parseLogicalTopic(logicalName);
  if (!parsed) {
    throw new UsageError(
      `不是 yecai 的主题名 not a yecai topic name: "${name}" — 应为 expected ${TOPIC_SETTINGS.map((c) => c.pattern).join(' | ')} (前缀 prefix "${prefix}" 可省略 optional)`,
    );
  }
  const { settings: convention, parts } = parsed;
  let full: string;
  try {
    full = convention.build(parts);
  } catch (error) {
    throw new UsageError(`主题名不合法 bad topic name "${name}": ${(error as Error).message}`);
  }
  return { name: full, logicalName, convention };
}

export function formatRetention(ms: number | null): string {
  if (ms === null || ms < 0) return '永久 forever';
  if (ms % DAY_MS === 0) return `${ms / DAY_MS}d`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  return `${ms}ms`;
}
