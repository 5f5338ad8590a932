/** Prometheus metrics of reconciliation runs (alert rules: deploy/prometheus/rules/reconcile.yml). */
import { Gauge, Registry } from 'prom-client';
import { DIFFERENCE_CLASS_NAMES } from './classes';
import type { ReconciliationReport } from './report';

export interface ReconcileMetrics {
  observe(report: ReconciliationReport): void;
}

export function createReconcileMetrics(registry: Registry): ReconcileMetrics {
  const rate = new Gauge({
    name: 'yecai_reconcile_difference_rate',
    help: 'Difference rate of the last run per flow, org and period (kind: amount | document), as a fraction',
    labelNames: ['flow', 'org', 'period', 'kind'],
    registers: [registry],
  });
  const differences = new Gauge({
    name: 'yecai_reconcile_differences',
    help: 'Differences found by the last run per flow, period and class',
    labelNames: ['flow', 'period', 'class'],
    registers: [registry],
  });
  const consistent = new Gauge({
    name: 'yecai_reconcile_consistent',
    help: '1 when the last run of the flow, org and period was 一致, else 0',
    labelNames: ['flow', 'org', 'period'],
    registers: [registry],
  });
  const lastRun = new Gauge({
    name: 'yecai_reconcile_last_run_timestamp_seconds',
    help: 'When the last reconciliation of the period finished',
    labelNames: ['period'],
    registers: [registry],
  });
  const duration = new Gauge({
    name: 'yecai_reconcile_duration_seconds',
    help: 'Duration of the last reconciliation of the period',
    labelNames: ['period'],
    registers: [registry],
  });
  return {
    observe(report) {
      for (const summary of report.summaries) {
        const labels = { flow: summary.flow, org: summary.org, period: summary.period };
        rate.set({ ...labels, kind: 'amount' }, Number(summary.amountRate));
        rate.set({ ...labels, kind: 'document' }, Number(summary.documentRate));
        consistent.set(labels, summary.verdict === '一致' ? 1 : 0);
      }
      for (const flow of report.flows) {
        for (const name of DIFFERENCE_CLASS_NAMES)
          differences.set(
            { flow, period: report.period, class: name },
            report.differences.filter((difference) => difference.flow === flow && difference.class === name).length,
          );
      }
      lastRun.set({ period: report.period }, Date.parse(report.generatedAt) / 1000);
      duration.set({ period: report.period }, report.durationMs / 1000);
    },
  };
}

/** The run's metrics as Prometheus text (for a node_exporter textfile collector when the CLI runs it). */
export async function metricsExposition(report: ReconciliationReport): Promise<string> {
  const registry = new Registry();
  createReconcileMetrics(registry).observe(report);
  return registry.metrics();
}
