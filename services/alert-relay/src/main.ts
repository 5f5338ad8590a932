/**
 * The alert relay process: `npx tsx services/alert-relay/src/main.ts` with ALERT_RELAY_CONFIG (see config.ts).
 * Serves POST /alerts (Alertmanager's webhook, bearer token) beside /healthz /readyz /metrics.
 */
import { createLogger, createMetricsRegistry, errorMessage } from '@yecai/common';
import { loadRelayConfig } from './config';
import { startAlertRelay } from './service';

async function main(): Promise<void> {
  const logger = createLogger('alert-relay');
  const relay = await startAlertRelay(loadRelayConfig(), { logger, registry: createMetricsRegistry('alert-relay') });
  logger.info({ port: relay.port, robots: relay.robots }, 'alert relay started');
  const shutdown = async () => {
    await relay.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown());
  process.once('SIGINT', () => void shutdown());
}

main().catch((error) => {
  process.stderr.write(`alert relay failed to start: ${errorMessage(error)}\n`);
  process.exit(1);
});
