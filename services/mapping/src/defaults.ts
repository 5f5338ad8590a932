/** Defaults shared by the service options, its environment (config.ts) and the benchmark. */

/** Documents per Kafka transaction. */
export const DEFAULT_CHUNK_SIZE = 500;
/** Raw partitions mapped in parallel by one replica. */
export const DEFAULT_CONCURRENCY = 3;
