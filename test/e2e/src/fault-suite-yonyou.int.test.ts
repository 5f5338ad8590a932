/**
 * The fault suite's YonSuite leg (fault-suite-yonyou.ts) on the shared test stack (it restarts no broker): ~500
 * documents, ~20 SIGKILLs, lost answers, 202, 310046 storms, 5xx and an outage, then the exactly-once check against
 * the YonSuite emulator's documents.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testEndpoints, uniqueName, uniqueTopicPrefix } from '@yecai/test-harness';
import { formatYonyouFaultSuite, runYonyouFaultSuite } from './fault-suite-yonyou';

it('keeps every document exactly once in YonSuite through SIGKILLs, lost answers, 202, 310046 storms and an outage', async () => {
  const result = await runYonyouFaultSuite({
    endpoints: testEndpoints(),
    workDir: mkdtempSync(join(tmpdir(), 'yecai-fault-yonyou-')),
    topicPrefix: uniqueTopicPrefix('faultys'),
    mongoDb: uniqueName('faultys').replace(/-/g, '_'),
    documents: Number(process.env.YECAI_FAULT_DOCUMENTS ?? 500),
    kills: Number(process.env.YECAI_FAULT_KILLS ?? 20),
    settleTimeoutMs: 240_000,
  });
  process.stdout.write(`\n[fault suite, YonSuite]\n${formatYonyouFaultSuite(result)}\n`);
  expect(result.failures).toEqual([]);
  expect(result.kills.source + result.kills.mapping + result.kills.sink).toBe(
    Number(process.env.YECAI_FAULT_KILLS ?? 20),
  );
  // The faults happened: writes left in doubt (an answer lost after the write, or 202 until the client gave up), a
  // 310046 storm and the outage reached the sink. Which of the two in-doubt faults the sink meets varies from run to
  // run (it posts a minute's quota in one burst; docs/yonyou.md §4.1), so the test asks for at least one of them.
  expect((result.answers.lost_answer ?? 0) + (result.answers['202'] ?? 0)).toBeGreaterThan(0);
  expect(result.answers['310046'] ?? 0).toBeGreaterThan(0);
  expect(result.answers.down ?? 0).toBeGreaterThan(0);
  // Most of the day is posted (the deliberate exceptions are parked with reasons, checked above).
  expect(result.check.counts.posted).toBeGreaterThan(result.check.counts.canonicalEvents / 2);
  expect(result.check.counts.kingdeeBills).toBe(result.check.counts.posted);
}, 600_000);
