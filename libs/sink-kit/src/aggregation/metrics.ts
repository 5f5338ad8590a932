import { Counter, Gauge, type Registry } from 'prom-client';
import type { AggregationStore } from './store';

/** Aggregated-posting metrics; labels are flows, outcomes and triggers only (never keys, bill numbers or shops). */
export class AggregationMetrics {
  readonly members: Counter<'flow' | 'outcome'>;
  readonly bills: Counter<'flow' | 'kind'>;
  readonly closes: Counter<'flow' | 'trigger'>;

  constructor(registry: Registry, store: AggregationStore, flows: () => string[]) {
    this.members = new Counter({
      name: 'yecai_sink_aggregation_members_total',
      help: 'Source documents (group slices) offered to aggregation by outcome: admitted, redelivered, version_replaced, version_ignored (after the freeze), version_stale (older than the one held), parked, park_superseded',
      labelNames: ['flow', 'outcome'],
      registers: [registry],
    });
    this.bills = new Counter({
      name: 'yecai_sink_aggregation_bills_total',
      help: 'Summary bills frozen by kind (first of its group, supplementary after an earlier close)',
      labelNames: ['flow', 'kind'],
      registers: [registry],
    });
    this.closes = new Counter({
      name: 'yecai_sink_aggregation_groups_closed_total',
      help: 'Group closes by trigger (schedule, operator)',
      labelNames: ['flow', 'trigger'],
      registers: [registry],
    });
    const gauge = (name: string, help: string, pick: (row: { members: number; accounted: number; frozen: number }) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ['flow'],
        registers: [registry],
        async collect() {
          this.reset();
          for (const flow of flows()) {
            const counts = await store.groupCounts(flow).catch(() => new Map<string, { members: number; accounted: number; frozen: number }>());
            let total = 0;
            for (const row of counts.values()) total += pick(row);
            this.set({ flow }, total);
          }
        },
      });
    gauge('yecai_sink_aggregation_open_groups', 'Groups with members not yet frozen into a summary bill', (row) => (row.members > row.accounted ? 1 : 0));
    gauge('yecai_sink_aggregation_open_members', 'Members waiting for their group to close', (row) => Math.max(0, row.members - row.accounted));
    gauge('yecai_sink_aggregation_closed_members', 'Members frozen into summary bills', (row) => row.frozen);
  }
}
