/**
 * The CI run of the fault suite's YonSuite leg (reduced; the full run is
 * `npx tsx test/e2e/src/fault-suite-cli.ts --target yonyou --kills 20 --documents 500`). It restarts no broker, so it
 * runs on the shared stack; it is in jest.config.js's SOLO_TESTS, run after the rest and not beside another fault suite.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testEndpoints, uniqueName, uniqueTopicPrefix } from '@yecai/test-harness';
import { formatYonyouFaultSuite, runYonyouFaultSuite } from './fault-suite-yonyou';

const kills = Number(process.env.YECAI_FAULT_KILLS ?? 10);

it('YonSuite under SIGKILLs, lost answers, 202s, a 310046 storm, 5xx and an outage: every document once, none lost', async () => {
  const result = await runYonyouFaultSuite({
    endpoints: testEndpoints(),
    workDir: mkdtempSync(join(tmpdir(), 'yecai-fault-yonyou-')),
    topicPrefix: uniqueTopicPrefix('fault-ys'),
    mongoDb: uniqueName('fault_ys').replace(/-/g, '_'),
    documents: Number(process.env.YECAI_FAULT_DOCUMENTS ?? 300),
    kills,
    // Half the leg's default quota: the sink, not upstream, is the bottleneck, so it still has a backlog when the
    // last fault round is armed (at 300/min a loaded run once posted everything before the round at kill 8 met a call).
    callsPerMinute: 150,
    settleTimeoutMs: 240_000,
  });
  process.stdout.write(`\n[fault suite, YonSuite leg]\n${formatYonyouFaultSuite(result)}\n`);
  expect(result.failures).toEqual([]);
  // Every fault kind met the sink's calls at least once (the emulator's tally, not what was armed).
  for (const [kind, count] of Object.entries(result.exercised)) expect([kind, count > 0]).toEqual([kind, true]);
  expect(result.kills.source + result.kills.mapping + result.kills.sink).toBe(kills);
  expect(result.check.counts.posted).toBeGreaterThan(0);
}, 600_000);
