/**
 * The console process: `npx tsx services/console/src/main.ts`. Environment: CONSOLE_CONFIG (YAML/JSON, see config.ts),
 * CONSOLE_PORT (default 8080; 8090 is the Kingdee emulator's), MONGODB_URI, MONGODB_DB. Serves the pages, /api, /healthz, /readyz and /metrics on one
 * port (YECAI_OPS_HOST=0.0.0.0 to listen beyond loopback).
 */
import { createLogger, createMetricsRegistry, parseWith, runServiceProcess, startOpsServer } from '@yecai/common';
import { connectMongo } from '@yecai/store';
import { mountConsole } from './app';
import { AuditLog } from './audit';
import { ConsoleEnvSchema, loadConsoleConfigFile } from './config';
import { ensureWebBuilt } from './web-build';

async function main(): Promise<ReadonlyArray<() => Promise<unknown>>> {
  const logger = createLogger('console');
  const env = parseWith(ConsoleEnvSchema, process.env, 'console environment');
  const config = loadConsoleConfigFile(env.CONSOLE_CONFIG);
  ensureWebBuilt();
  const mongo = await connectMongo(env.MONGODB_URI, { appName: 'console' });
  const audit = new AuditLog(mongo.db(env.MONGODB_DB));
  await audit.ensureIndexes();
  const ops = await startOpsServer({
    port: env.CONSOLE_PORT,
    registry: createMetricsRegistry('console'),
    isReady: () => true,
    mount: (app) => mountConsole(app, { config, audit, logger }),
  });
  logger.info({ port: ops.port, host: ops.host, users: config.users.length }, 'console started');
  return [() => ops.close(), () => mongo.close()];
}

runServiceProcess('console', main);
