#!/usr/bin/env tsx
/**
 * Kingdee K/3 Cloud WebAPI emulator CLI.
 *   npx tsx test/emulators/kingdee/src/main.ts [--port 8090] [--seed fixture.json] [--snapshot state.json]
 *     [--latency-ms 50 | --latency-ms 20-200] [--http5xx-rate 0.05] [--lost-answer-rate 0.01]
 *     [--lost-answer-hang-ms 0] [--throttle-per-second 20] [--gateway-mode] [--session-ttl-ms 1200000]
 * Prints the site URL (use it as serverUrl) and runs until interrupted.
 */
import { parseArgs } from 'node:util';
import { closeOnSignals } from '@yecai/emulator-kit';
import { startKingdeeEmulator } from './server';
import type { Faults } from './faults';

function number(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed)) {
    console.error(`参数错误 invalid flag --${flag}: "${value}" is not a number`);
    process.exit(2);
  }
  return parsed;
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        seed: { type: 'string' },
        snapshot: { type: 'string' },
        'latency-ms': { type: 'string' },
        'http5xx-rate': { type: 'string' },
        'lost-answer-rate': { type: 'string' },
        'lost-answer-hang-ms': { type: 'string' },
        'throttle-per-second': { type: 'string' },
        'session-ttl-ms': { type: 'string' },
        'gateway-mode': { type: 'boolean' },
        help: { type: 'boolean' },
      },
    }));
  } catch (error) {
    console.error(`参数错误 invalid arguments: ${(error as Error).message}`);
    process.exit(2);
  }
  if (values.help) {
    console.log('usage: main.ts [--port N] [--seed fixture.json] [--snapshot file] [fault flags] — see the header of this file');
    return;
  }
  const faults: Faults = {};
  const latency = values['latency-ms'];
  if (latency !== undefined) {
    const [min, max] = latency.split('-');
    faults.latencyMs = max === undefined ? number('latency-ms', min)! : { min: number('latency-ms', min)!, max: number('latency-ms', max)! };
  }
  const rate5xx = number('http5xx-rate', values['http5xx-rate']);
  if (rate5xx !== undefined) faults.http5xxRate = rate5xx;
  const lostRate = number('lost-answer-rate', values['lost-answer-rate']);
  if (lostRate !== undefined) faults.lostAnswerRate = lostRate;
  const hang = number('lost-answer-hang-ms', values['lost-answer-hang-ms']);
  if (hang !== undefined) faults.lostAnswerHangMs = hang;
  const throttle = number('throttle-per-second', values['throttle-per-second']);
  if (throttle !== undefined) faults.throttlePerSecond = throttle;

  const emulator = await startKingdeeEmulator({
    port: number('port', values.port) ?? 0,
    host: values.host ?? '127.0.0.1',
    ...(values.seed ? { seed: values.seed } : {}),
    ...(values.snapshot ? { snapshotPath: values.snapshot } : {}),
    ...(values['session-ttl-ms'] ? { sessionTtlMs: number('session-ttl-ms', values['session-ttl-ms'])! } : {}),
    gatewayMode: values['gateway-mode'] ?? false,
    faults,
  });
  console.log(emulator.url);
  closeOnSignals(emulator);
}

void main().catch((error: unknown) => {
  console.error(`金蝶模拟器启动失败 Kingdee emulator failed to start: ${(error as Error).message}`);
  process.exit(1);
});
