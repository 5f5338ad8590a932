import { Counter, Gauge, type Registry } from 'prom-client';
import type { Ledger } from './ledger/ledger';
import { LEDGER_STATES } from './ledger/model';

/**
 * Prometheus metrics every sink has, whatever its target (a target adds its own: e.g. Kingdee call latency).
 * Labels are bounded: form ids, states, levels, topics and partitions — never bill numbers, document keys or anything secret.
 */
export class SinkMetrics {
  readonly documents: Counter<'form' | 'outcome' | 'level'>;
  readonly consumerLag: Gauge<'topic' | 'partition'>;
  readonly pausedPartitions: Gauge<'reason'>;
  private ledgerSource: Ledger | undefined;

  constructor(registry: Registry) {
    this.documents = new Counter({
      name: 'yecai_sink_documents_total',
      help: 'Document outcomes by target form, outcome (posted, parked, rejected, skipped, modified_ignored) and exception level',
      labelNames: ['form', 'outcome', 'level'],
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
      help: 'Partitions paused because the target is unavailable (level 3) or an operator paused the flow',
      labelNames: ['reason'],
      registers: [registry],
    });
    const ledgerOf = () => this.ledgerSource;
    new Gauge({
      name: 'yecai_sink_ledger_entries',
      help: 'Ledger entries by target form and state (PENDING, IN_DOUBT, POSTED, PARKED, REJECTED, SKIPPED, AGGREGATED)',
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
}
