/**
 * What the per-source fault legs (领星, 赛狐) share: their options, and the raw-topic proof — every document's current
 * version once on its raw stream (no version twice, none missing).
 */
import { sleep } from '@yecai/common';
import { AvroSerde, KafkaClient, readTopicsToEnd, topics } from '@yecai/kafka';
import type { PipelineEndpoints, ServiceName, ServiceProcess } from '@yecai/demo';

export interface FaultLegOptions {
  endpoints: PipelineEndpoints;
  workDir: string;
  topicPrefix: string;
  mongoDb: string;
  /** SIGKILLs spread over the three services (default 6). */
  kills?: number;
  seed?: number;
  settleTimeoutMs?: number;
  report?: (line: string) => void;
}

/** A leg: runs its pipeline under faults and returns the failures it found (empty = exactly once, none lost). */
export type FaultLeg = (options: FaultLegOptions) => Promise<string[]>;

/**
 * SIGKILLs a pipeline's source, mapping and sink in an order `random` picks, 0.75–2.25 s apart, numbering the kills
 * across calls ("<label> leg: SIGKILL sink (4/6)") — one schedule for every leg.
 */
export class KillSchedule {
  private killed = 0;

  constructor(
    private readonly services: Record<ServiceName, ServiceProcess>,
    private readonly options: { label: string; total: number; random: () => number; report: (line: string) => void },
  ) {}

  /** Kills `count` services, each after `before()` (e.g. new documents) and the pause. */
  async kill(count: number, before?: () => Promise<unknown>): Promise<void> {
    const names: ServiceName[] = ['source', 'mapping', 'sink'];
    for (let i = 0; i < count; i++) {
      await before?.();
      await sleep(1_500 * (0.5 + this.options.random()));
      const victim = names[Math.floor(this.options.random() * names.length)]!;
      await this.services[victim].kill();
      this.options.report(`${this.options.label} leg: SIGKILL ${victim} (${++this.killed}/${this.options.total})`);
    }
  }
}

/**
 * Reads each stream's raw topic to its end: a version (source id + content hash) published twice, or a count of
 * documents other than `documents(stream)`, is a failure, named with `label` (领星, 赛狐).
 */
export async function rawOnceFailures(check: {
  endpoints: PipelineEndpoints;
  topicPrefix: string;
  system: string;
  label: string;
  streams: readonly string[];
  documents: (stream: string) => number;
}): Promise<string[]> {
  const failures: string[] = [];
  const kafka = new KafkaClient({
    brokers: [check.endpoints.kafkaBrokers],
    clientId: `yecai-fault-check-${check.system}`,
  });
  const previous = process.env.YECAI_TOPIC_PREFIX;
  process.env.YECAI_TOPIC_PREFIX = check.topicPrefix;
  try {
    const serde = new AvroSerde(check.endpoints.schemaRegistryUrl);
    for (const stream of check.streams) {
      const versions = new Map<string, number>();
      const ids = new Set<string>();
      const values: Buffer[] = [];
      await readTopicsToEnd(
        kafka,
        [topics.raw(check.system, stream)],
        (_topic, _partition, message) => values.push(message.value!),
        { timeoutMs: 120_000 },
      );
      for (const value of values) {
        const raw = await serde.decode<{ sourceId: string; contentHash: string }>(value);
        const version = `${raw.sourceId}@${raw.contentHash}`;
        versions.set(version, (versions.get(version) ?? 0) + 1);
        ids.add(raw.sourceId);
      }
      for (const [version, times] of versions)
        if (times > 1) failures.push(`${check.label} raw ${stream} ${version} ×${times}`);
      const documents = check.documents(stream);
      if (ids.size !== documents)
        failures.push(`${check.label} raw ${stream}: ${ids.size} documents, the emulator has ${documents}`);
    }
  } finally {
    if (previous === undefined) delete process.env.YECAI_TOPIC_PREFIX;
    else process.env.YECAI_TOPIC_PREFIX = previous;
    await kafka.disconnect();
  }
  return failures;
}
