/**
 * The fault suite's YonSuite leg: the JST pipeline posting to 用友 YonSuite (sink-yonyou + the YonSuite emulator), with
 * SIGKILLs of source, mapping and sink, writes applied whose answer is lost, `202` still-processing answers, 310046
 * rate storms, 5xx and an outage — then the same exactly-once checker as the Kingdee leg, against the emulator's
 * documents: every document version once, none lost, everything not posted with a reason.
 */
import { seededRandom, sleep } from '@yecai/common';
import { KafkaClient } from '@yecai/kafka';
import {
  Pipeline,
  type PipelineEndpoints,
  type PipelineSummary,
  type ServiceName,
  waitUntilSettled,
} from '@yecai/demo';
import { checkUntilAccounted, reportFailures, type ExactlyOnceReport } from './checker';

export interface YonyouFaultSuiteOptions {
  endpoints: PipelineEndpoints;
  workDir: string;
  topicPrefix: string;
  mongoDb: string;
  /** Documents in the business day. */
  documents: number;
  /** SIGKILLs spread over the services. */
  kills: number;
  /** Mean pause between two kills. */
  killIntervalMs?: number;
  /**
   * YonSuite calls per minute per API, emulator and client alike: 300 (the real free quota, 60, would take many
   * minutes) keeps the sink posting through the chaos window (~200 sales out-stocks take 40 s), so the faults meet writes.
   */
  callsPerMinute?: number;
  seed?: number;
  settleTimeoutMs?: number;
  report?: (line: string) => void;
}

export interface YonyouFaultSuiteResult {
  kills: Record<ServiceName, number>;
  faults: string[];
  /** What the YonSuite emulator answered, per outcome (lost_answer, 202, 310046, down, …). */
  answers: Record<string, number>;
  summary: PipelineSummary;
  check: ExactlyOnceReport;
  failures: string[];
  seconds: number;
}

/**
 * The YonSuite faults: lost answers and 202s armed before the sink starts, so its very first saves meet them (it posts
 * a burst of up to a minute's quota at once, sooner over than a kill interval); at the second kill the storm and the 5xx;
 * at the third the outage; then everything again every 4 kills. Each counter is used up by the calls it hits.
 */
const FAULTS: { label: string; faults: Parameters<Pipeline['yonyou']['setFaults']>[0] }[] = [
  { label: '2 writes applied, answer lost', faults: { lostAnswerNext: 2 } },
  { label: '2 saves answering 202 for 1.5 s', faults: { processingNext: 2, processingMs: 1_500 } },
  { label: '310046 storm of 15 answers', faults: { throttleBurst: 15 } },
  { label: '3 HTTP 5xx', faults: { serverErrorBurst: 3 } },
];

export async function runYonyouFaultSuite(options: YonyouFaultSuiteOptions): Promise<YonyouFaultSuiteResult> {
  const report = options.report ?? (() => undefined);
  const random = seededRandom(options.seed ?? 23);
  const started = Date.now();
  const faults = new Set<string>();
  const pipeline = await Pipeline.start({
    endpoints: options.endpoints,
    workDir: options.workDir,
    documents: options.documents,
    topicPrefix: options.topicPrefix,
    mongoDb: options.mongoDb,
    target: 'yonyou',
    yonyouFaults: { ...FAULTS[0]!.faults, ...FAULTS[1]!.faults },
    yonyouCallsPerMinute: options.callsPerMinute ?? 300,
    jstRateLimits: { perSecond: 20, perMinute: 1200 },
    logLevel: 'warn',
  });
  for (const fault of FAULTS.slice(0, 2)) faults.add(fault.label);
  const kills: Record<ServiceName, number> = { source: 0, mapping: 0, sink: 0 };
  try {
    // Faults are only worth something while the sink writes: the chaos starts with the first YonSuite document.
    const firstWrite = Date.now() + 180_000;
    while (pipeline.yonyou.stats.counts.ok === undefined && Date.now() < firstWrite) await sleep(500);
    report('the sink writes to YonSuite; chaos begins');
    const services: ServiceName[] = ['source', 'mapping', 'sink'];
    const interval = options.killIntervalMs ?? 1_500;
    for (let i = 0; i < options.kills; i++) {
      const armed = i === 1 ? FAULTS.slice(2) : i > 0 && i % 4 === 0 ? FAULTS : [];
      for (const fault of armed) {
        pipeline.yonyou.setFaults(fault.faults);
        faults.add(fault.label);
      }
      await sleep(interval * (0.5 + random()));
      const victim = services[Math.floor(random() * services.length)]!;
      await pipeline.services[victim].kill();
      kills[victim] += 1;
      // Early, while the sink surely has a backlog to post.
      if (i === Math.min(2, options.kills - 1)) {
        report('YonSuite outage begins (every call HTTP 503)');
        pipeline.yonyou.setFaults({ down: true });
        // At least 6 s, and until the sink has met it (a probe or a write refused), at most 45 s.
        const outageStarted = Date.now();
        const downBefore = pipeline.yonyou.stats.counts.down ?? 0;
        while (
          Date.now() - outageStarted < 6_000 ||
          ((pipeline.yonyou.stats.counts.down ?? 0) === downBefore && Date.now() - outageStarted < 45_000)
        ) {
          await sleep(500);
        }
        pipeline.yonyou.setFaults({ down: false });
        faults.add(`${Math.round((Date.now() - outageStarted) / 1000)} s outage`);
      }
      if ((i + 1) % 10 === 0) report(`${i + 1}/${options.kills} kills`);
    }
    pipeline.yonyou.faults.clear();
    report('chaos over; waiting for the pipeline to settle');

    const deadline = Date.now() + (options.settleTimeoutMs ?? 300_000);
    const { summary } = await waitUntilSettled(
      pipeline,
      { timeoutMs: deadline - Date.now(), intervalMs: 4_000 },
      pipeline.flows,
    );
    const kafka = new KafkaClient({ brokers: [options.endpoints.kafkaBrokers], clientId: 'yecai-fault-check-yonyou' });
    try {
      process.env.YECAI_TOPIC_PREFIX = options.topicPrefix;
      const { check } = await checkUntilAccounted(pipeline, kafka, options.endpoints.schemaRegistryUrl, deadline, report);
      return {
        kills,
        faults: [...faults],
        answers: { ...pipeline.yonyou.stats.counts },
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

export function formatYonyouFaultSuite(result: YonyouFaultSuiteResult): string {
  const { counts } = result.check;
  const answer = (name: string) => result.answers[name] ?? 0;
  return [
    `kills (SIGKILL): source ${result.kills.source}, mapping ${result.kills.mapping}, sink ${result.kills.sink}`,
    `YonSuite faults: ${result.faults.join('; ')}`,
    `YonSuite answered: lost answers ${answer('lost_answer')}, 202 ${answer('202')}, 310046 ${answer('310046')}, 503 (outage) ${answer('down')}, MDD replays ${answer('mdd_replay')}`,
    `raw versions ${counts.rawVersions} · canonical events ${counts.canonicalEvents} · filtered/parked in mapping ${counts.filteredOrParkedInMapping} · not for YonSuite (no form map) ${counts.notForTarget}`,
    `ledger: posted ${counts.posted}, parked ${counts.parked}, pending ${counts.pending}, skipped ${counts.skipped} · YonSuite documents ${counts.kingdeeBills}`,
    `duplicates: raw ${result.check.rawDuplicates.length}, canonical ${result.check.canonicalDuplicates.length}, YonSuite ${result.check.kingdeeDuplicates.length}`,
    `losses: raw ${result.check.rawMissing.length}, unaccounted ${result.check.unaccounted.length}, not posted ${result.check.notPosted.length}, unexplained documents ${result.check.unexplainedBills.length}`,
    `took ${result.seconds}s`,
    result.failures.length
      ? `FAILED:\n  ${result.failures.join('\n  ')}`
      : 'OK: every document version exactly once in YonSuite, none lost',
  ].join('\n');
}
