/** Defaults shared by the service options, its environment (config.ts) and the benchmark. */

/** Documents per Kafka transaction. */
export const DEFAULT_CHUNK_SIZE = 500;
/**
 * Raw partitions mapped in parallel by one replica. The replica is CPU-bound (bench/mapping-bench.ts): 2, 3 and 6
 * gave the same CPU seconds per document and only noise in wall time on the shared machine.
 */
export const DEFAULT_CONCURRENCY = 3;
/**
 * Transform worker threads per replica (0 = map in the thread that runs Kafka); chosen by bench/mapping-bench.ts on
 * the 2-core development machine (docs/benchmarks.md, "Mapping").
 */
export const DEFAULT_TRANSFORM_WORKERS = 0;
