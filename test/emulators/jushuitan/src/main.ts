/**
 * Runs the JST emulator: `tsx test/emulators/jushuitan/src/main.ts --port 8701 --seed 7 --documents 100000 --days 30`.
 * Optional `--faults '{"serverErrorRate":0.05}'`. Documents are spread over the past `--days`, evenly across the document types; limits default to 5/s and 100/min.
 */
import { parseArgs } from 'node:util';
import { createLogger } from '@yecai/common';
import { JST_DOCUMENT_TYPES } from './endpoints';
import { startJushuitanEmulator, type JstFaults } from './server';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8701' },
    host: { type: 'string', default: '127.0.0.1' },
    seed: { type: 'string', default: '1' },
    documents: { type: 'string', default: '10000' },
    days: { type: 'string', default: '30' },
    'per-second': { type: 'string', default: '5' },
    'per-minute': { type: 'string', default: '100' },
    /** JSON of JstFaults, e.g. '{"serverErrorRate":0.05,"latencyMs":80}'; also settable via POST /__admin/faults. */
    faults: { type: 'string', default: '{}' },
  },
});

function positiveInteger(name: string, text: string | undefined): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) {
    console.error(`参数 --${name} 必须是非负整数 / --${name} must be a non-negative integer, got "${text}"`);
    process.exit(2);
  }
  return value;
}

async function main(): Promise<void> {
  const total = positiveInteger('documents', values.documents);
  const days = positiveInteger('days', values.days);
  const perType = Math.ceil(total / JST_DOCUMENT_TYPES.length);
  let faults: JstFaults;
  try {
    faults = JSON.parse(values.faults ?? '{}') as JstFaults;
  } catch {
    console.error(`参数 --faults 必须是 JSON / --faults must be JSON, got ${values.faults}`);
    process.exit(2);
  }
  const now = Date.now();
  const emulator = await startJushuitanEmulator({
    port: positiveInteger('port', values.port),
    host: values.host,
    seed: positiveInteger('seed', values.seed),
    faults,
    rateLimits: {
      perSecond: positiveInteger('per-second', values['per-second']),
      perMinute: positiveInteger('per-minute', values['per-minute']),
    },
    documents: {
      perType: Object.fromEntries(JST_DOCUMENT_TYPES.map((type) => [type, perType])),
      fromMs: now - days * 86_400_000,
      toMs: now - 120_000,
    },
  });
  createLogger('emulator-jushuitan').info(
    { url: emulator.url, documents: perType * JST_DOCUMENT_TYPES.length },
    'JST emulator listening (app_key ak_test, secret sk_test, token at_test)',
  );
  const stop = () => void emulator.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

void main();
