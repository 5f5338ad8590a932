/**
 * The fault suite's YonSuite leg: the JST pipeline posting to 用友 YonSuite (sink-yonyou + the YonSuite emulator), with
 * SIGKILLs of source, mapping and sink, writes applied whose answer is lost, `202` still-processing answers, 310046
 * rate storms, 5xx and an outage — then the same exactly-once checker as the Kingdee leg, against the emulator's
 * documents: every document version once, none lost, everything not posted with a reason. Each armed fault must be used
 * up by the sink's calls before the leg moves on, and the result counts the calls that met each kind (`exercised`).
 */
import { seededRandom, sleep } from '@yecai/common';
import { KafkaClient } from '@yecai/kafka';
import { JST_ENDPOINTS } from '@yecai/emulator-jushuitan';
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
  /** How long an armed fault may wait for the sink's calls to use it up (90 s) before the leg records a failure. */
  useTimeoutMs?: number;
  settleTimeoutMs?: number;
  report?: (line: string) => void;
}

export interface YonyouFaultSuiteResult {
  kills: Record<ServiceName, number>;
  faults: string[];
  /**
   * Calls that met each fault kind (from the emulator, not from what was armed): writes whose answer was lost, saves
   * answered 202, forced 310046 answers, forced 5xx, 503s of the outage. Each must be ≥ 1, or `failures` says so.
   */
  exercised: Record<Counter | 'outage', number>;
  /** What the YonSuite emulator answered, per outcome (lost_answer, 202, 310046, down, …). */
  answers: Record<string, number>;
  summary: PipelineSummary;
  check: ExactlyOnceReport;
  failures: string[];
  seconds: number;
}

type YonyouFaultSettings = Parameters<Pipeline['yonyou']['setFaults']>[0];
/** The "next N calls" faults of the leg, each used up by the calls it meets (the emulator tallies them: `faults.used`). */
type Counter = 'lostAnswerNext' | 'processingNext' | 'throttleBurst' | 'serverErrorBurst';

/** What each fault kind is called in the result, and the counter that arms it. */
export const YONYOU_FAULT_KINDS: Record<Counter | 'outage', string> = {
  lostAnswerNext: 'write applied, answer lost',
  processingNext: 'save answered 202 (still processing)',
  throttleBurst: '310046 rate storm',
  serverErrorBurst: 'HTTP 5xx',
  outage: 'outage (every call 503)',
};
const COUNTERS = ['lostAnswerNext', 'processingNext', 'throttleBurst', 'serverErrorBurst'] as const;

/**
 * The YonSuite faults: lost answers and 202s armed before the sink starts, so its first saves meet them; at the second
 * kill the storm and the 5xx; at the third the outage; at the fifth everything again. Before each round JST gets new
 * documents (`keepSinkBusy`): timing alone once failed — in a CI pre-check on a quiet machine (2026-12-07) the sink had
 * drained the day before the third and fifth kills, and those rounds met no write. The leg does not move on (no next
 * kill) until every armed counter is used up by the sink's calls — lost answers and 202s can only be used by a write —
 * so each fault the result names was exercised, not merely set; one left unused in `useTimeoutMs` is a failure.
 */
/** Documents added to JST before each armed round, so the sink has writes to meet the faults with. */
const ROUND_DOCUMENTS = 12;

const FAULTS: { label: string; faults: YonyouFaultSettings }[] = [
  { label: '2 writes applied, answer lost', faults: { lostAnswerNext: 2 } },
  { label: '2 saves answering 202 for 1.5 s', faults: { processingNext: 2, processingMs: 1_500 } },
  { label: '310046 storm of 15 answers', faults: { throttleBurst: 15 } },
  { label: '3 HTTP 5xx', faults: { serverErrorBurst: 3 } },
];

export async function runYonyouFaultSuite(options: YonyouFaultSuiteOptions): Promise<YonyouFaultSuiteResult> {
  const report = options.report ?? (() => undefined);
  const random = seededRandom(options.seed ?? 23);
  const started = Date.now();
  const faults: string[] = [];
  const faultFailures: string[] = [];
  const useTimeoutMs = options.useTimeoutMs ?? 90_000;
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
  const emulator = pipeline.yonyou;
  /** Waits until the armed counters are spent; what is left after the timeout is disarmed and reported. */
  const useUp = async (labels: string[]) => {
    const waitStarted = Date.now();
    const left = () => COUNTERS.filter((counter) => (emulator.faults.current[counter] ?? 0) > 0);
    while (left().length > 0 && Date.now() - waitStarted < useTimeoutMs) await sleep(250);
    const unused = left();
    if (unused.length > 0) {
      const detail = unused.map((counter) => `${counter} ${emulator.faults.current[counter]} left`).join(', ');
      faultFailures.push(
        `故障未被触发 armed YonSuite fault not used by the sink within ${useTimeoutMs / 1000} s: ${detail}`,
      );
      emulator.setFaults(Object.fromEntries(unused.map((counter) => [counter, 0])));
    }
    faults.push(`${labels.join(' + ')} (used in ${((Date.now() - waitStarted) / 1000).toFixed(1)} s)`);
  };
  /**
   * Work in front of the sink for a fault round: on a quiet machine it may have drained the day already, and a fault
   * then meets no write. New documents modified half a minute ago are still ahead of the source's cursor (it settles a
   * minute behind now), so they are read, mapped and written within the round's wait.
   */
  const keepSinkBusy = () =>
    pipeline.jst.store.addDocuments(
      'sales_outstock',
      ROUND_DOCUMENTS,
      Date.now() - 30_000,
      JST_ENDPOINTS.sales_outstock.statuses[0],
    );
  const kills: Record<ServiceName, number> = { source: 0, mapping: 0, sink: 0 };
  try {
    // Faults are only worth something while the sink writes: the chaos starts with the first YonSuite document.
    const firstWrite = Date.now() + 180_000;
    while (emulator.stats.counts.ok === undefined && Date.now() < firstWrite) await sleep(500);
    report('the sink writes to YonSuite; chaos begins');
    await useUp(FAULTS.slice(0, 2).map((fault) => fault.label));
    const services: ServiceName[] = ['source', 'mapping', 'sink'];
    const interval = options.killIntervalMs ?? 1_500;
    for (let i = 0; i < options.kills; i++) {
      const armed = i === 1 ? FAULTS.slice(2) : i === 4 ? FAULTS : [];
      if (armed.length > 0) {
        keepSinkBusy();
        for (const fault of armed) emulator.setFaults(fault.faults);
        await useUp(armed.map((fault) => fault.label));
      }
      await sleep(interval * (0.5 + random()));
      const victim = services[Math.floor(random() * services.length)]!;
      await pipeline.services[victim].kill();
      kills[victim] += 1;
      if (i === Math.min(2, options.kills - 1)) {
        keepSinkBusy();
        report('YonSuite outage begins (every call HTTP 503)');
        emulator.setFaults({ down: true });
        // At least 6 s, and until the sink has met it (a probe or a write refused), at most 45 s.
        const outageStarted = Date.now();
        const downBefore = emulator.stats.counts.down ?? 0;
        while (
          Date.now() - outageStarted < 6_000 ||
          ((emulator.stats.counts.down ?? 0) === downBefore && Date.now() - outageStarted < 45_000)
        ) {
          await sleep(500);
        }
        emulator.setFaults({ down: false });
        faults.push(`${Math.round((Date.now() - outageStarted) / 1000)} s outage`);
      }
      if ((i + 1) % 10 === 0) report(`${i + 1}/${options.kills} kills`);
    }
    const exercised = exercisedFaults(emulator.faults.used, emulator.stats.counts.down ?? 0);
    for (const [kind, count] of Object.entries(exercised)) {
      if (count === 0)
        faultFailures.push(
          `故障从未触发 YonSuite fault never exercised: ${YONYOU_FAULT_KINDS[kind as Counter | 'outage']} (${kind})`,
        );
    }
    emulator.faults.clear();
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
      const { check } = await checkUntilAccounted(
        pipeline,
        kafka,
        options.endpoints.schemaRegistryUrl,
        deadline,
        report,
      );
      return {
        kills,
        faults,
        exercised,
        answers: { ...emulator.stats.counts },
        summary,
        check,
        failures: [...faultFailures, ...reportFailures(check)],
        seconds: Math.round((Date.now() - started) / 1000),
      };
    } finally {
      await kafka.disconnect();
    }
  } finally {
    await pipeline.stop();
  }
}

/** Calls that met each fault kind: the emulator's tally of the "next N" counters, and the 503s of the outage. */
function exercisedFaults(
  used: Partial<Record<string, number>>,
  outageAnswers: number,
): YonyouFaultSuiteResult['exercised'] {
  return {
    lostAnswerNext: used.lostAnswerNext ?? 0,
    processingNext: used.processingNext ?? 0,
    throttleBurst: used.throttleBurst ?? 0,
    serverErrorBurst: used.serverErrorBurst ?? 0,
    outage: outageAnswers,
  };
}

export function formatYonyouFaultSuite(result: YonyouFaultSuiteResult): string {
  const { counts } = result.check;
  const answer = (name: string) => result.answers[name] ?? 0;
  return [
    `kills (SIGKILL): source ${result.kills.source}, mapping ${result.kills.mapping}, sink ${result.kills.sink}`,
    `YonSuite faults: ${result.faults.join('; ')}`,
    `faults exercised (calls that met them): ${Object.entries(result.exercised)
      .map(([kind, count]) => `${kind} ${count}`)
      .join(', ')}`,
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
