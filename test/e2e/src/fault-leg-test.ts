/** Runs a fault leg inside a jest test on the harness's stack: its own topics, database and work directory. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testEndpoints, uniqueName, uniqueTopicPrefix } from '@yecai/test-harness';
import type { FaultLeg } from './fault-leg';

/** The leg's failures and the lines it reported (also printed, so a CI log shows the kills and the outcome). */
export async function runLegInTest(leg: FaultLeg, name: string): Promise<{ failures: string[]; lines: string[] }> {
  const lines: string[] = [];
  const failures = await leg({
    endpoints: testEndpoints(),
    workDir: mkdtempSync(join(tmpdir(), `yecai-${name}-fault-`)),
    topicPrefix: uniqueTopicPrefix(`${name}-fault`),
    mongoDb: uniqueName(`${name}_fault`).replace(/-/g, '_'),
    report: (line) => lines.push(line),
  });
  process.stdout.write(`${lines.join('\n')}\n`);
  return { failures, lines };
}
