/**
 * The fault suite's 领星 leg: the LingXing pipeline (every flow) under faults — SIGKILLs of the source, mapping and
 * the sink, LingXing 3001008 bursts, 502s and access tokens expiring every 25 calls, Kingdee writes whose answer is
 * lost after they landed and 5xx — then proof: each raw stream holds every LingXing document once (no duplicate
 * version, none missing), Kingdee holds exactly one bill per finished document per form, and nothing is parked.
 */
import { seededRandom, sleep } from '@yecai/common';
import { AvroSerde, KafkaClient, readTopicsToEnd, topics } from '@yecai/kafka';
import type { PipelineEndpoints, ServiceName } from '@yecai/demo';
import { LINGXING_STREAMS, LingxingPipeline } from './lingxing-pipeline';

export interface LingxingFaultLegOptions {
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

/** Runs the leg; the failures it found (empty = every document exactly once, none lost). */
export async function runLingxingFaultLeg(options: LingxingFaultLegOptions): Promise<string[]> {
  const report = options.report ?? (() => undefined);
  const random = seededRandom(options.seed ?? 18);
  const topicPrefix = `${options.topicPrefix}lx.`;
  const pipeline = await LingxingPipeline.start({
    endpoints: options.endpoints,
    workDir: options.workDir,
    topicPrefix,
    mongoDb: `${options.mongoDb}_lx`,
    logLevel: 'warn',
    perType: {
      sales_order: 20,
      mp_sales_order: 5,
      sales_outstock: 5,
      sales_return: 5,
      first_leg_shipment: 6,
      purchase_instock: 4,
      other_instock: 4,
      other_outstock: 4,
      transfer: 5,
      purchase_return: 4,
      stock_count: 4,
      fee_settlement: 30,
    },
    lingxingFaults: { throttleBurst: 6, serverErrorRate: 0.05, expireTokenAfterRequests: 25 },
  });
  const failures: string[] = [];
  try {
    pipeline.kingdee.setFaults({ lostAnswerRate: 0.05, http5xxRate: 0.05 });
    const services: ServiceName[] = ['source', 'mapping', 'sink'];
    const kills = options.kills ?? 6;
    for (let i = 0; i < kills; i++) {
      await sleep(1_500 * (0.5 + random()));
      const victim = services[Math.floor(random() * services.length)]!;
      await pipeline.services[victim].kill();
      report(`领星 leg: SIGKILL ${victim} (${i + 1}/${kills})`);
    }
    pipeline.kingdee.clearFaults();
    pipeline.lingxing.setFaults({});

    // Settled: Kingdee holds the expected number of bills on every form (or the deadline passes).
    const expected = pipeline.expectedBills();
    const deadline = Date.now() + (options.settleTimeoutMs ?? 180_000);
    const counts = () =>
      Object.fromEntries(
        Object.keys(expected).map((formId) => [formId, pipeline.billNumbers().get(formId)?.size ?? 0]),
      );
    while (JSON.stringify(counts()) !== JSON.stringify(expected) && Date.now() < deadline) await sleep(2_000);
    for (const [formId, want] of Object.entries(expected)) {
      const have = counts()[formId];
      if (have !== want) failures.push(`领星 ${formId}: ${have} bills, expected ${want}`);
    }
    for (const [formId, numbers] of pipeline.billNumbers()) {
      for (const [billNo, count] of numbers)
        if (count > 1) failures.push(`领星 duplicate Kingdee bill ${formId}/${billNo} ×${count}`);
    }
    const parked = await pipeline.db.collection('parked_documents').countDocuments({});
    if (parked > 0) failures.push(`领星: ${parked} documents parked`);

    // Raw: every LingXing document's current version once.
    const kafka = new KafkaClient({
      brokers: [options.endpoints.kafkaBrokers],
      clientId: 'yecai-fault-check-lingxing',
    });
    const previous = process.env.YECAI_TOPIC_PREFIX;
    process.env.YECAI_TOPIC_PREFIX = topicPrefix;
    try {
      const serde = new AvroSerde(options.endpoints.schemaRegistryUrl);
      for (const stream of LINGXING_STREAMS) {
        const versions = new Map<string, number>();
        const ids = new Set<string>();
        const values: Buffer[] = [];
        await readTopicsToEnd(
          kafka,
          [topics.raw('lingxing', stream)],
          (_topic, _partition, message) => values.push(message.value!),
          { timeoutMs: 120_000 },
        );
        for (const value of values) {
          const raw = await serde.decode<{ sourceId: string; contentHash: string }>(value);
          const version = `${raw.sourceId}@${raw.contentHash}`;
          versions.set(version, (versions.get(version) ?? 0) + 1);
          ids.add(raw.sourceId);
        }
        for (const [version, count] of versions)
          if (count > 1) failures.push(`领星 raw ${stream} ${version} ×${count}`);
        const documents = pipeline.documentCount(stream);
        if (ids.size !== documents)
          failures.push(`领星 raw ${stream}: ${ids.size} documents, the emulator has ${documents}`);
      }
    } finally {
      if (previous === undefined) delete process.env.YECAI_TOPIC_PREFIX;
      else process.env.YECAI_TOPIC_PREFIX = previous;
      await kafka.disconnect();
    }
    report(
      failures.length
        ? `领星 leg FAILED: ${failures.join('; ')}`
        : '领星 leg OK: every document once, none lost, nothing parked',
    );
    return failures;
  } finally {
    await pipeline.stop();
  }
}
