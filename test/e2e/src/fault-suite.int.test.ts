/**
 * The CI run of the fault suite (reduced; the full run is `npx tsx test/e2e/src/fault-suite-cli.ts --kills 200`).
 * It brings up a stack of its own because it restarts the broker.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { uniqueName, uniqueTopicPrefix } from '@yecai/test-harness';
import { formatFaultSuite, runFaultSuite } from './fault-suite';
import { startOwnStack } from './own-stack';

it('keeps every document exactly once through SIGKILLs, a broker restart and Kingdee/JST faults', async () => {
  const stack = await startOwnStack();
  try {
    const result = await runFaultSuite({
      endpoints: stack.endpoints,
      workDir: mkdtempSync(join(tmpdir(), 'yecai-fault-')),
      topicPrefix: uniqueTopicPrefix('fault'),
      mongoDb: uniqueName('fault').replace(/-/g, '_'),
      documents: Number(process.env.YECAI_FAULT_DOCUMENTS ?? 150),
      kills: Number(process.env.YECAI_FAULT_KILLS ?? 12),
      restartBroker: stack.restartBroker,
      settleTimeoutMs: 420_000,
    });
    process.stdout.write(`\n[fault suite]\n${formatFaultSuite(result)}\n`);
    expect(result.failures).toEqual([]);
    expect(result.kills.source + result.kills.mapping + result.kills.sink).toBeGreaterThan(0);
    expect(result.check.counts.posted).toBeGreaterThan(0);
  } finally {
    await stack.stop();
  }
}, 900_000);
