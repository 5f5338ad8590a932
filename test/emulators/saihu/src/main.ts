/**
 * 赛狐 emulator on its own:
 *   tsx test/emulators/saihu/src/main.ts [--port 8703] [--host 0.0.0.0] [--seed 1] [--documents 10000] [--days 30]
 *     [--faults '{"serverErrorRate":0.05,"latencyMs":80}'] [--per-second 1 (per endpoint)]
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
import { SAIHU_DOCUMENT_TYPES, SAIHU_TEST_ACCOUNT, startSaihuEmulator, type SaihuFaults } from './server';

const { values } = parseArgs({
  options: {
    ...commonEmulatorFlags('8703'),
    'per-second': { type: 'string', default: '1' },
  },
});

async function main(): Promise<void> {
  const documents = documentsOverPastDays(
    SAIHU_DOCUMENT_TYPES,
    nonNegativeIntegerFlag('documents', values.documents),
    nonNegativeIntegerFlag('days', values.days),
  );
  const emulator = await startSaihuEmulator({
    port: nonNegativeIntegerFlag('port', values.port),
    host: values.host,
    seed: nonNegativeIntegerFlag('seed', values.seed),
    faults: jsonFlag<SaihuFaults>('faults', values.faults, {}),
    rateLimits: { perSecondPerEndpoint: nonNegativeIntegerFlag('per-second', values['per-second']) },
    documents,
  });
  createLogger('emulator-saihu').info(
    { url: emulator.url, documents: documents.generated },
    `赛狐 emulator listening (client_id ${SAIHU_TEST_ACCOUNT.clientId})`,
  );
  closeOnSignals(emulator);
}

main().catch((error: unknown) => {
  console.error(`赛狐模拟器启动失败 / 赛狐 emulator failed to start: ${String(error)}`);
  process.exit(1);
});
