/** The fault suite's 领星 leg (run here in ./yecai test, and by fault-suite-cli.ts after the JST leg): SIGKILLs and API faults, then exactly once. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testEndpoints, uniqueName, uniqueTopicPrefix } from '@yecai/test-harness';
import { runLingxingFaultLeg } from './lingxing-fault-leg';

it('领星 under SIGKILLs, 3001008 bursts, 502s, token expiry and lost Kingdee answers: every document once, none lost', async () => {
  const lines: string[] = [];
  const failures = await runLingxingFaultLeg({
    endpoints: testEndpoints(),
    workDir: mkdtempSync(join(tmpdir(), 'yecai-lx-fault-')),
    topicPrefix: uniqueTopicPrefix('lx-fault'),
    mongoDb: uniqueName('lx_fault').replace(/-/g, '_'),
    report: (line) => lines.push(line),
  });
  expect(failures).toEqual([]);
  expect(lines.filter((line) => line.includes('SIGKILL'))).toHaveLength(6);
}, 400_000);
