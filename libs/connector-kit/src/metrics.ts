import { Counter, Gauge, type Registry } from 'prom-client';
import type { SyncEvents } from './events';

/** Prometheus metrics of a source service, fed by the sync events. Labels never carry secrets. */
export function registerSourceMetrics(
  registry: Registry,
  system: string,
  events: SyncEvents,
  now: () => number = Date.now,
): void {
  const documents = new Counter({
    name: 'yecai_source_documents_total',
    help: 'Raw document versions published, by stream and origin',
    labelNames: ['system', 'account', 'stream', 'origin'],
    registers: [registry],
  });
  const calls = new Counter({
    name: 'yecai_source_api_calls_total',
    help: 'Source API calls by outcome (ok or the error code)',
    labelNames: ['system', 'account', 'stream', 'outcome'],
    registers: [registry],
  });
  const throttles = new Counter({
    name: 'yecai_source_throttled_total',
    help: 'Calls refused by the source for rate reasons',
    labelNames: ['system', 'account', 'stream', 'code'],
    registers: [registry],
  });
  const failures = new Counter({
    name: 'yecai_source_cycle_failures_total',
    help: 'Sync cycles that gave up after retries (the next cycle resumes from the last checkpoint)',
    labelNames: ['system', 'account', 'stream', 'code'],
    registers: [registry],
  });
  const cursors = new Map<string, { account: string; stream: string; cursorMs: number }>();
  new Gauge({
    name: 'yecai_source_cursor_lag_seconds',
    help: 'now − the live cursor of a modified-time stream (how far behind the source the sync is)',
    labelNames: ['system', 'account', 'stream'],
    registers: [registry],
    collect() {
      for (const { account, stream, cursorMs } of cursors.values())
        this.set({ system, account, stream }, (now() - cursorMs) / 1000);
    },
  });

  events.on((event) => {
    switch (event.type) {
      case 'api_call':
        calls.inc({ system, account: event.account, stream: event.stream, outcome: event.outcome });
        break;
      case 'throttled':
        throttles.inc({ system, account: event.account, stream: event.stream, code: event.code });
        break;
      case 'published':
        if (event.count > 0)
          documents.inc({ system, account: event.account, stream: event.stream, origin: event.origin }, event.count);
        break;
      case 'committed':
        if (event.mode === 'live' && event.cursorMs !== undefined)
          cursors.set(`${event.account}/${event.stream}`, {
            account: event.account,
            stream: event.stream,
            cursorMs: event.cursorMs,
          });
        break;
      case 'cycle_failed':
        failures.inc({ system, account: event.account, stream: event.stream, code: event.code });
        break;
    }
  });
}
