/**
 * Runs the JST emulator: `tsx test/emulators/jushuitan/src/main.ts --port 8701 --seed 7 --documents 100000 --days 30`.
 * Optional `--faults '{"serverErrorRate":0.05}'`. Documents are spread over the past `--days`, evenly across the document types; limits default to 5/s and 100/min.
 */
import { parseArgs } from 'node:util';
import { createLogger } from '@yecai/common';
import { closeOnSignals, commonEmulatorFlags, documentsOverPastDays, jsonFlag, nonNegativeIntegerFlag } from '@yecai/emulator-kit';
import { JST_DOCUMENT_TYPES } from './endpoints';
import { startJushuitanEmulator, type JstFaults } from './server';

const { values } = parseArgs({
  options: {
    ...commonEmulatorFlags('8701'),
    'per-second': { type: 'string', default: '5' },
    'per-minute': { type: 'string', default: '100' },
  },
});

async function main(): Promise<void> {
  const documents = documentsOverPastDays(
    JST_DOCUMENT_TYPES,
    nonNegativeIntegerFlag('documents', values.documents),
    nonNegativeIntegerFlag('days', values.days),
  );
  const faults = jsonFlag<JstFaults>('faults', values.faults, {});
  const emulator = await startJushuitanEmulator({
    port: nonNegativeIntegerFlag('port', values.port),
    host: values.host,
    seed: nonNegativeIntegerFlag('seed', values.seed),
    faults,
    rateLimits: {
      perSecond: nonNegativeIntegerFlag('per-second', values['per-second']),
      perMinute: nonNegativeIntegerFlag('per-minute', values['per-minute']),
    },
    documents,
  });
  createLogger('emulator-jushuitan').info(
    { url: emulator.url, documents: documents.generated },
    'JST emulator listening (app_key ak_test, secret sk_test, token at_test)',
  );
  closeOnSignals(emulator);
}

void main();
