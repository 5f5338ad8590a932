import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { LEDGER_STATES, type Ledger } from './ledger';

/**
 * Prometheus metrics of the sink. Labels are bounded: form ids, states, levels, operations, MsgCodes,
 * topics and partitions — never bill numbers, document keys or anything secret.
 */
export class SinkMetrics {
  readonly documents: Counter<'form' | 'outcome' | 'level'>;
  readonly kingdeeCallSeconds: Histogram<'operation' | 'outcome'>;
  readonly kingdeeMsgCodes: Counter<'operation' | 'msg_code'>;
  readonly clientWaitSeconds: Counter<'operation'>;
  readonly consumerLag: Gauge<'topic' | 'partition'>;
  readonly pausedPartitions: Gauge<'reason'>;
  readonly batchSize: Histogram;
  readonly batchSeconds: Histogram;
  private ledgerSource: Ledger | undefined;

  constructor(registry: Registry) {
    this.documents = new Counter({
      name: 'yecai_sink_documents_total',
      help: 'Bill outcomes by Kingdee form, outcome (posted, parked, rejected, skipped, modified_ignored) and exception level',
      labelNames: ['form', 'outcome', 'level'],
      registers: [registry],
    });
    this.kingdeeCallSeconds = new Histogram({
      name: 'yecai_sink_kingdee_call_seconds',
      help: 'Kingdee HTTP call latency by operation and outcome (http_<status> or error class)',
      labelNames: ['operation', 'outcome'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers: [registry],
    });
    this.kingdeeMsgCodes = new Counter({
      name: 'yecai_sink_kingdee_msgcode_total',
      help: 'Kingdee write answers by operation and MsgCode (0 = success)',
      labelNames: ['operation', 'msg_code'],
      registers: [registry],
    });
    this.clientWaitSeconds = new Counter({
      name: 'yecai_sink_kingdee_wait_seconds_total',
      help: 'Time Kingdee operations spent outside HTTP exchanges: waiting on the configured rate/concurrency limits and retry backoff',
      labelNames: ['operation'],
      registers: [registry],
    });
    this.consumerLag = new Gauge({
      name: 'yecai_sink_consumer_lag',
      help: 'Messages between the last processed offset and the high watermark, per canonical topic partition',
      labelNames: ['topic', 'partition'],
      registers: [registry],
    });
    this.pausedPartitions = new Gauge({
      name: 'yecai_sink_paused_partitions',
      help: 'Partitions paused because Kingdee is unavailable (level 3) or an operator paused the flow',
      labelNames: ['reason'],
      registers: [registry],
    });
    this.batchSize = new Histogram({ name: 'yecai_sink_batchsave_bills', help: 'Bills per BatchSave call', buckets: [1, 5, 10, 20, 50, 100], registers: [registry] });
    this.batchSeconds = new Histogram({ name: 'yecai_sink_batchsave_seconds', help: 'BatchSave duration including limiter waits and retries', buckets: [0.05, 0.1, 0.5, 1, 5, 30, 120], registers: [registry] });
    const ledgerOf = () => this.ledgerSource;
    new Gauge({
      name: 'yecai_sink_ledger_entries',
      help: 'Ledger entries by Kingdee form and state (PENDING, IN_DOUBT, POSTED, PARKED, REJECTED, SKIPPED, AGGREGATED)',
      labelNames: ['form', 'state'],
      registers: [registry],
      collect() {
        const ledger = ledgerOf();
        if (!ledger) return;
        this.reset();
        // This process's view (loaded once, then moved by its writes): no scan per scrape.
        const counts = ledger.stateCounts();
        for (const row of counts) if ((LEDGER_STATES as readonly string[]).includes(row.state)) this.set({ form: row.formId, state: row.state }, row.count);
      },
    });
  }

  attachLedger(ledger: Ledger): void {
    this.ledgerSource = ledger;
  }

  outcome(form: string, outcome: string, level: number): void {
    this.documents.inc({ form, outcome, level: String(level) });
  }

  msgCode(operation: string, msgCode: number | undefined): void {
    this.kingdeeMsgCodes.inc({ operation, msg_code: msgCode === undefined ? 'none' : String(msgCode) });
  }
}
