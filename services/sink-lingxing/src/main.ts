/**
 * The 领星 sink process: `npx tsx services/sink-lingxing/src/main.ts`. Environment: SINK_CONFIG (YAML/JSON file,
 * see config.ts), KAFKA_BROKERS, SCHEMA_REGISTRY_URL, MONGODB_URI, MONGODB_DB, SINK_OPS_PORT (default 8089).
 * Serves /healthz /readyz /metrics and the admin API under /admin.
 */
import { runSinkMain } from '@yecai/sink-kit';
import { loadSinkConfigFile } from './config';
import { SinkService } from './service';

runSinkMain({
  name: 'sink-lingxing',
  defaultOpsPort: 8089,
  loadConfig: loadSinkConfigFile,
  createService: (deps) => new SinkService(deps),
});
