#!/usr/bin/env tsx
/**
 * 用友 YonSuite OpenAPI emulator CLI (the dev deployments' YonSuite: deploy/k8s/overlays/dev, docker-compose.yml).
 *   npx tsx test/emulators/yonyou/src/main.ts [--port 8092] [--host 127.0.0.1] [--calls-per-minute 60]
 * Prints its URL and runs until interrupted. Its tenant is EMULATOR_CREDENTIALS (server.ts); a sink reaching it through
 * another host name pins `gatewayUrl` / `tokenUrl` (the lookup answers with the URL it listens on).
 */
import { parseArgs } from 'node:util';
import { closeOnSignals, nonNegativeIntegerFlag } from '@yecai/emulator-kit';
import { startYonyouEmulator } from './server';

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: 'string', default: '8092' },
        host: { type: 'string' },
        'calls-per-minute': { type: 'string' },
        help: { type: 'boolean' },
      },
    }));
  } catch (error) {
    console.error(`参数错误 invalid arguments: ${(error as Error).message}`);
    process.exit(2);
  }
  if (values.help) {
    console.log('usage: main.ts [--port N] [--host H] [--calls-per-minute N] — see the header of this file');
    return;
  }
  const callsPerMinute =
    values['calls-per-minute'] === undefined
      ? 0
      : nonNegativeIntegerFlag('calls-per-minute', values['calls-per-minute']);
  const emulator = await startYonyouEmulator({
    port: nonNegativeIntegerFlag('port', values.port),
    ...(values.host ? { host: values.host } : {}),
    ...(callsPerMinute ? { callsPerMinute } : {}),
  });
  console.log(emulator.url);
  closeOnSignals(emulator);
}

void main().catch((error: unknown) => {
  console.error(`YonSuite emulator: ${(error as Error).message}`);
  process.exit(1);
});
