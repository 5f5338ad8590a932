import { Counter, Histogram, Gauge, type Registry } from 'prom-client';

/** The mapping service's Prometheus metrics; labels never carry document content or secrets. */
export function mappingMetrics(registry: Registry) {
  return {
    documents: new Counter({
      name: 'yecai_mapping_documents_total',
      help: 'Raw documents handled, by flow and outcome (mapped, filtered, parked).',
      labelNames: ['flow', 'outcome'],
      registers: [registry],
    }),
    filtered: new Counter({
      name: 'yecai_mapping_filtered_total',
      help: 'Documents not synced because a rule filter excluded them (e.g. 实退数量 = 0), by flow and filter.',
      labelNames: ['flow', 'filter'],
      registers: [registry],
    }),
    parked: new Counter({
      name: 'yecai_mapping_parked_total',
      help: 'Documents parked, by flow, code and level.',
      labelNames: ['flow', 'code', 'level'],
      registers: [registry],
    }),
    transactionSeconds: new Histogram({
      name: 'yecai_mapping_transaction_seconds',
      help: 'Time per consume-transform-produce transaction.',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    repushed: new Counter({
      name: 'yecai_mapping_repushed_total',
      help: 'Parked documents re-pushed to their raw topic (automatically after master data was added, or by a person).',
      labelNames: ['trigger'],
      registers: [registry],
    }),
    sameCode: new Counter({
      name: 'yecai_mapping_same_code_total',
      help: 'Events mapped with the same-code fallback (no source mapping; the pulled Kingdee record of the same code), by flow and entity.',
      labelNames: ['flow', 'entity'],
      registers: [registry],
    }),
    lookupCache: new Gauge({
      name: 'yecai_mapping_lookup_cache_hit_ratio',
      help: 'Master-data lookup cache hit ratio since start.',
      registers: [registry],
    }),
  };
}

export type MappingMetrics = ReturnType<typeof mappingMetrics>;
