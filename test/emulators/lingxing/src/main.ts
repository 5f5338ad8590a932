/**
 * 领星 emulator on its own:
 *   tsx test/emulators/lingxing/src/main.ts [--port 8704] [--host 0.0.0.0] [--seed 1] [--documents 10000] [--days 30]
 *     [--faults '{"serverErrorRate":0.05,"latencyMs":80}'] [--buckets '{"/erp/sc/data/mws/orders":2}']
 * Documents are spread over the past --days, evenly across the document types.
 */
import { parseArgs } from 'node:util';
import { createLogger } from '@yecai/common';
import {
  closeOnSignals,
  commonEmulatorFlags,
  documentsOverPastDays,
  jsonFlag,
  nonNegativeIntegerFlag,
} from '@yecai/emulator-kit';
import { LINGXING_DOCUMENT_TYPES, LINGXING_TEST_ACCOUNT, startLingxingEmulator, type LingxingFaults } from './server';

const { values } = parseArgs({
  options: {
    ...commonEmulatorFlags('8704'),
    buckets: { type: 'string', default: '{}' },
  },
});

async function main(): Promise<void> {
  const documents = documentsOverPastDays(
    LINGXING_DOCUMENT_TYPES,
    nonNegativeIntegerFlag('documents', values.documents),
    nonNegativeIntegerFlag('days', values.days),
  );
  const emulator = await startLingxingEmulator({
    port: nonNegativeIntegerFlag('port', values.port),
    host: values.host,
    seed: nonNegativeIntegerFlag('seed', values.seed),
    faults: jsonFlag<LingxingFaults>('faults', values.faults, {}),
    buckets: jsonFlag<Record<string, number>>('buckets', values.buckets, {}),
    documents,
  });
  createLogger('emulator-lingxing').info(
    { url: emulator.url, documents: documents.generated },
    `领星 emulator listening (appId ${LINGXING_TEST_ACCOUNT.appId})`,
  );
  closeOnSignals(emulator);
}

main().catch((error: unknown) => {
  console.error(`领星模拟器启动失败 / 领星 emulator failed to start: ${String(error)}`);
  process.exit(1);
});
