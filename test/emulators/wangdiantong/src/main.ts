/**
 * Runs the WDT emulator (both editions on one port):
 * `tsx test/emulators/wangdiantong/src/main.ts --port 8702 --seed 7 --documents 20000 --days 30`.
 * Optional `--faults '{"serverErrorRate":0.05}'`; port also from WDT_EMULATOR_PORT. Documents are spread over the
 * past `--days`, evenly across the document types, over the default world (6 shops, 4 warehouses in 2 orgs, 72 specs).
 */
import { parseArgs } from 'node:util';
import { createLogger } from '@yecai/common';
import { closeOnSignals, commonEmulatorFlags, documentsOverPastDays, jsonFlag, nonNegativeIntegerFlag } from '@yecai/emulator-kit';
import { WDT_DOCUMENT_TYPES } from './protocol';
import { DEFAULT_QJB_ACCOUNT, DEFAULT_QYB_ACCOUNT, startWangdiantongEmulator, type WdtFaults } from './server';
import { defaultWorld } from './world';

const { values } = parseArgs({
  options: {
    ...commonEmulatorFlags(process.env.WDT_EMULATOR_PORT ?? '8702'),
    'per-minute': { type: 'string', default: '600' },
    concurrent: { type: 'string', default: '5' },
  },
});

async function main(): Promise<void> {
  const documents = documentsOverPastDays(
    WDT_DOCUMENT_TYPES,
    nonNegativeIntegerFlag('documents', values.documents),
    nonNegativeIntegerFlag('days', values.days),
  );
  const faults = jsonFlag<WdtFaults>('faults', values.faults, {});
  const emulator = await startWangdiantongEmulator({
    port: nonNegativeIntegerFlag('port', values.port),
    host: values.host,
    seed: nonNegativeIntegerFlag('seed', values.seed),
    faults,
    rateLimits: {
      perMinute: nonNegativeIntegerFlag('per-minute', values['per-minute']),
      concurrent: nonNegativeIntegerFlag('concurrent', values.concurrent),
    },
    world: defaultWorld(),
    documents,
  });
  createLogger('emulator-wangdiantong').info(
    {
      url: emulator.url,
      documents: documents.generated,
      qyb: { sid: DEFAULT_QYB_ACCOUNT.sid, appkey: DEFAULT_QYB_ACCOUNT.appkey },
      qjb: { sid: DEFAULT_QJB_ACCOUNT.sid, key: DEFAULT_QJB_ACCOUNT.key },
    },
    'WDT emulator listening (企业版 /openapi2/<name>.php, 旗舰版 /openapi; secrets in README)',
  );
  closeOnSignals(emulator);
}

void main();
