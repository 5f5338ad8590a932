/** The fault suite's reverse leg (run here in ./yecai test, and by fault-suite-cli.ts): Kingdee → 旺店通 under SIGKILLs and WDT faults, then exactly once. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testEndpoints, uniqueName, uniqueTopicPrefix } from '@yecai/test-harness';
import { runKingdeeWdtFaultLeg } from './kingdee-wdt-fault-leg';

it('金蝶 → 旺店通 under SIGKILLs, WDT 5xx and lost answers: every audited bill once in WDT, stock exact, none lost', async () => {
  const lines: string[] = [];
  const failures = await runKingdeeWdtFaultLeg({
    endpoints: testEndpoints(),
    workDir: mkdtempSync(join(tmpdir(), 'yecai-kdwdt-fault-')),
    topicPrefix: uniqueTopicPrefix('kdwdt-fault'),
    mongoDb: uniqueName('kdwdt_fault').replace(/-/g, '_'),
    report: (line) => lines.push(line),
  });
  process.stdout.write(`${lines.join('\n')}\n`);
  expect(failures).toEqual([]);
  expect(lines.filter((line) => line.includes('SIGKILL'))).toHaveLength(6);
}, 500_000);
