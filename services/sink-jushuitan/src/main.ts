/**
 * The 聚水潭 sink process: `npx tsx services/sink-jushuitan/src/main.ts`. Environment: SINK_CONFIG (YAML/JSON file,
 * see config.ts), KAFKA_BROKERS, SCHEMA_REGISTRY_URL, MONGODB_URI, MONGODB_DB, SINK_OPS_PORT (default 8088).
 * Serves /healthz /readyz /metrics and the admin API under /admin.
 */
import { runSinkMain } from '@yecai/sink-kit';
import { loadSinkConfigFile } from './config';
import { SinkService } from './service';

runSinkMain({
  name: 'sink-jushuitan',
  defaultOpsPort: 8088,
  loadConfig: loadSinkConfigFile,
  createService: (deps) => new SinkService(deps),
});
