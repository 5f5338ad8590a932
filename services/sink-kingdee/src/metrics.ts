import { Counter, Histogram, type Registry } from 'prom-client';

/**
 * Prometheus metrics of the Kingdee target (beside the kit's SinkMetrics). Labels are bounded: operations, outcomes
 * and MsgCodes — never bill numbers or anything secret.
 */
export class KingdeeMetrics {
  readonly kingdeeCallSeconds: Histogram<'operation' | 'outcome'>;
  readonly kingdeeMsgCodes: Counter<'operation' | 'msg_code'>;
  readonly clientWaitSeconds: Counter<'operation'>;
  readonly batchSize: Histogram;
  readonly batchSeconds: Histogram;

  constructor(registry: Registry) {
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
    this.batchSize = new Histogram({ name: 'yecai_sink_batchsave_bills', help: 'Bills per BatchSave call', buckets: [1, 5, 10, 20, 50, 100], registers: [registry] });
    this.batchSeconds = new Histogram({ name: 'yecai_sink_batchsave_seconds', help: 'BatchSave duration including limiter waits and retries', buckets: [0.05, 0.1, 0.5, 1, 5, 30, 120], registers: [registry] });
  }

  msgCode(operation: string, msgCode: number | undefined): void {
    this.kingdeeMsgCodes.inc({ operation, msg_code: msgCode === undefined ? 'none' : String(msgCode) });
  }
}
