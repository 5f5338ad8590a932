/**
 * Runs the WDT emulator (both editions on one port):
 * `tsx test/emulators/wangdiantong/src/main.ts --port 8702 --seed 7 --documents 20000 --days 30`.
 * Optional `--faults '{"serverErrorRate":0.05}'`; port also from WDT_EMULATOR_PORT. Documents are spread over the
 * past `--days`, evenly across the document types, over the default world (6 shops, 4 warehouses in 2 orgs, 72 specs).
 */
import { parseArgs } from 'node:util';
import { createLogger } from '@yecai/common';
import { WDT_DOCUMENT_TYPES } from './protocol';
import { DEFAULT_QJB_ACCOUNT, DEFAULT_QYB_ACCOUNT, startWangdiantongEmulator, type WdtFaults } from './server';
import { defaultWorld } from './world';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.WDT_EMULATOR_PORT ?? '8702' },
    host: { type: 'string', default: '127.0.0.1' },
    seed: { type: 'string', default: '1' },
    documents: { type: 'string', default: '10000' },
    days: { type: 'string', default: '30' },
    'per-minute': { type: 'string', default: '600' },
    concurrent: { type: 'string', default: '5' },
    /** JSON of WdtFaults, e.g. '{"serverErrorRate":0.05,"latencyMs":80}'; also settable via POST /__admin/faults. */
    faults: { type: 'string', default: '{}' },
  },
});

function nonNegativeInteger(name: string, text: string | undefined): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) {
    console.error(`参数 --${name} 必须是非负整数 / --${name} must be a non-negative integer, got "${text}"`);
    process.exit(2);
  }
  return value;
}

async function main(): Promise<void> {
  const total = nonNegativeInteger('documents', values.documents);
  const days = nonNegativeInteger('days', values.days);
  const perType = Math.ceil(total / WDT_DOCUMENT_TYPES.length);
  let faults: WdtFaults;
  try {
    faults = JSON.parse(values.faults ?? '{}') as WdtFaults;
  } catch {
    console.error(`参数 --faults 必须是 JSON / --faults must be JSON, got ${values.faults}`);
    process.exit(2);
  }
  const now = Date.now();
  const emulator = await startWangdiantongEmulator({
    port: nonNegativeInteger('port', values.port),
    host: values.host,
    seed: nonNegativeInteger('seed', values.seed),
    faults,
    rateLimits: {
      perMinute: nonNegativeInteger('per-minute', values['per-minute']),
      concurrent: nonNegativeInteger('concurrent', values.concurrent),
    },
    world: defaultWorld(),
    documents: {
      perType: Object.fromEntries(WDT_DOCUMENT_TYPES.map((type) => [type, perType])),
      fromMs: now - days * 86_400_000,
      toMs: now - 120_000,
    },
  });
  createLogger('emulator-wangdiantong').info(
    {
      url: emulator.url,
      documents: perType * WDT_DOCUMENT_TYPES.length,
      qyb: { sid: DEFAULT_QYB_ACCOUNT.sid, appkey: DEFAULT_QYB_ACCOUNT.appkey },
      qjb: { sid: DEFAULT_QJB_ACCOUNT.sid, key: DEFAULT_QJB_ACCOUNT.key },
    },
    'WDT emulator listening (企业版 /openapi2/<name>.php, 旗舰版 /openapi; secrets in README)',
  );
  const stop = () => void emulator.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

void main();
