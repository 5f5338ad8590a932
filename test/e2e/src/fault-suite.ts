import { seededRandom, sleep } from '@yecai/common';
import { KafkaClient } from '@yecai/kafka';
import { checkUntilAccounted, reportFailures, type ExactlyOnceReport } from './checker';
import { Pipeline, type PipelineEndpoints, type PipelineSummary, type ServiceName, waitUntilSettled } from '@yecai/demo';

export interface FaultSuiteOptions {
  endpoints: PipelineEndpoints;
  workDir: string;
  topicPrefix: string;
  mongoDb: string;
  /** Documents in the business day. */
  documents: number;
  /** SIGKILLs spread over the services. */
  kills: number;
  /** Pause between two kills (each killed service is restarted by its supervisor). */
  killIntervalMs?: number;
  /** Restarts the Kafka broker once, half-way (only when the suite owns the broker). */
  restartBroker?: () => Promise<void>;
  seed?: number;
  /** Give up waiting for the pipeline to settle after this long. */
  settleTimeoutMs?: number;
  report?: (line: string) => void;
}

export interface FaultSuiteResult {
  kills: Record<ServiceName, number>;
  brokerRestarts: number;
  faults: string[];
  summary: PipelineSummary;
  check: ExactlyOnceReport;
  failures: string[];
  seconds: number;
}

/**
 * Chaos against the whole pipeline, then proof: SIGKILLs of every service, a broker restart, Kingdee timeouts after
 * commit, 5xx, an outage and MsgCode 14 throttling, JST throttling and 5xx — and a checker that every source
 * document version is in Kingdee exactly once, nothing is missing, and everything not posted carries a reason.
 */
export async function runFaultSuite(options: FaultSuiteOptions): Promise<FaultSuiteResult> {
  const report = options.report ?? (() => undefined);
  const random = seededRandom(options.seed ?? 7);
  const started = Date.now();
  const faults: string[] = [];
  const pipeline = await Pipeline.start({
    endpoints: options.endpoints,
    workDir: options.workDir,
    documents: options.documents,
    topicPrefix: options.topicPrefix,
    mongoDb: options.mongoDb,
    jstRateLimits: { perSecond: 20, perMinute: 1200 },
    jstFaults: { throttleBurst: 6, serverErrorRate: 0.05 },
    logLevel: 'warn',
  });
  faults.push('JST: 6 throttle answers (199/200) in a burst, 5% HTTP 503');
  const kills: Record<ServiceName, number> = { source: 0, mapping: 0, sink: 0 };
  let brokerRestarts = 0;
  try {
    pipeline.kingdee.setFaults({ lostAnswerRate: 0.05, http5xxRate: 0.05, throttlePerSecond: 40 });
    faults.push('Kingdee: 5% writes applied then answer lost, 5% HTTP 5xx, MsgCode 14 above 40 calls/s');
    const services: ServiceName[] = ['source', 'mapping', 'sink'];
    const interval = options.killIntervalMs ?? 1_500;
    for (let i = 0; i < options.kills; i++) {
      await sleep(interval * (0.5 + random()));
      const victim = services[Math.floor(random() * services.length)]!;
      await pipeline.services[victim].kill();
      kills[victim] += 1;
      if (i === Math.floor(options.kills / 3)) {
        pipeline.kingdee.setFaults({ down: true });
        report('Kingdee outage begins (every call HTTP 503)');
        await sleep(8_000);
        pipeline.kingdee.setFaults({ down: false });
        faults.push('Kingdee: 8 s outage');
      }
      if (i === Math.floor(options.kills / 2) && options.restartBroker) {
        report('restarting the Kafka broker');
        await options.restartBroker();
        brokerRestarts += 1;
      }
      if ((i + 1) % 10 === 0) report(`${i + 1}/${options.kills} kills`);
    }
    pipeline.kingdee.clearFaults();
    pipeline.jst.setFaults({});
    report('chaos over; waiting for the pipeline to settle');

    const settleTimeoutMs = options.settleTimeoutMs ?? 600_000;
    const deadline = Date.now() + settleTimeoutMs;
    const { summary, settled } = await waitUntilSettled(pipeline, { timeoutMs: settleTimeoutMs, intervalMs: 4_000 });
    if (!settled) report('did not settle in time; checking what is there');
    const kafka = new KafkaClient({ brokers: [options.endpoints.kafkaBrokers], clientId: 'yecai-fault-check' });
    try {
      process.env.YECAI_TOPIC_PREFIX = options.topicPrefix;
      const { check, checks } = await checkUntilAccounted(pipeline, kafka, options.endpoints.schemaRegistryUrl, deadline, report);
      if (checks > 1) faults.push(`(checked ${checks} times before everything was accounted for)`);
      return {
        kills,
        brokerRestarts,
        faults,
        summary,
        check,
        failures: reportFailures(check),
        seconds: Math.round((Date.now() - started) / 1000),
      };
    } finally {
      await kafka.disconnect();
    }
  } finally {
    await pipeline.stop();
  }
}

export function formatFaultSuite(result: FaultSuiteResult): string {
  const { counts } = result.check;
  return [
    `kills (SIGKILL): source ${result.kills.source}, mapping ${result.kills.mapping}, sink ${result.kills.sink}; broker restarts: ${result.brokerRestarts}`,
    `faults injected: ${result.faults.join('; ')}`,
    `raw versions ${counts.rawVersions} · canonical events ${counts.canonicalEvents} · filtered/parked in mapping ${counts.filteredOrParkedInMapping}`,
    `ledger: posted ${counts.posted}, parked ${counts.parked}, pending ${counts.pending}, skipped ${counts.skipped} · Kingdee bills ${counts.kingdeeBills}`,
    `duplicates: raw ${result.check.rawDuplicates.length}, canonical ${result.check.canonicalDuplicates.length}, Kingdee ${result.check.kingdeeDuplicates.length}`,
    `losses: raw ${result.check.rawMissing.length}, unaccounted ${result.check.unaccounted.length}, not posted ${result.check.notPosted.length}, unexplained bills ${result.check.unexplainedBills.length}`,
    `took ${result.seconds}s`,
    result.failures.length ? `FAILED:\n  ${result.failures.join('\n  ')}` : 'OK: every document version exactly once, none lost',
  ].join('\n');
}
