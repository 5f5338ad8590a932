/**
 * The full fault suite, one command:
 *   npx tsx test/e2e/src/fault-suite-cli.ts [--kills 200] [--documents 1000] [--interval-ms 1500] [--target yonyou]
 * Starts a stack of its own, runs the chaos (then the 领星, 赛狐, 金蝶→旺店通 and 金蝶→聚水潭 legs), prints the counts, exits 1 on any duplicate or loss. `--target yonyou`
 * runs the YonSuite leg (fault-suite-yonyou.ts: sink-yonyou against the YonSuite emulator, no broker restart; reduced,
 * it is fault-suite-yonyou.int.test.ts in `./yecai test`); it fails unless every fault kind met the sink's calls
 * (docs/yonyou.md §4.1).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { FaultLeg } from './fault-leg';
import { formatFaultSuite, runFaultSuite } from './fault-suite';
import { formatYonyouFaultSuite, runYonyouFaultSuite } from './fault-suite-yonyou';
import { runLingxingFaultLeg } from './lingxing-fault-leg';
import { runSaihuFaultLeg } from './saihu-fault-leg';
import { runKingdeeJstFaultLeg } from './kingdee-jst-fault-leg';
import { runKingdeeWdtFaultLeg } from './kingdee-wdt-fault-leg';
import { startOwnStack } from './own-stack';

process.env.LOG_LEVEL ??= 'warn';
const { values } = parseArgs({
  options: {
    kills: { type: 'string', default: '200' },
    documents: { type: 'string', default: '1000' },
    'interval-ms': { type: 'string', default: '1500' },
    target: { type: 'string', default: 'kingdee' },
  },
});
const number = (name: string, value: string | undefined): number => {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0) throw new Error(`--${name}: "${value}" 不是正整数 is not a positive integer`);
  return parsed;
};

async function main(): Promise<number> {
  const kills = number('kills', values.kills);
  const documents = number('documents', values.documents);
  const killIntervalMs = number('interval-ms', values['interval-ms']);
  if (values.target !== 'kingdee' && values.target !== 'yonyou') throw new Error(`--target: "${values.target}" 应为 kingdee 或 yonyou must be kingdee or yonyou`);
  const stack = await startOwnStack((line) => console.log(`  ${line}`));
  try {
    const runId = Date.now().toString(36);
    if (values.target === 'yonyou') {
      const result = await runYonyouFaultSuite({
        endpoints: stack.endpoints,
        workDir: mkdtempSync(join(tmpdir(), 'yecai-fault-yonyou-')),
        topicPrefix: `faultys${runId}.`,
        mongoDb: `faultys_${runId}`,
        documents,
        kills,
        killIntervalMs,
        report: (line) => console.log(`  ${line}`),
      });
      console.log(formatYonyouFaultSuite(result));
      return result.failures.length ? 1 : 0;
    }
    const result = await runFaultSuite({
      endpoints: stack.endpoints,
      workDir: mkdtempSync(join(tmpdir(), 'yecai-fault-')),
      topicPrefix: `fault${runId}.`,
      mongoDb: `fault_${runId}`,
      documents,
      kills,
      killIntervalMs,
      restartBroker: stack.restartBroker,
      report: (line) => console.log(`  ${line}`),
    });
    console.log(formatFaultSuite(result));
    // The legs (in ./yecai test each is its own test, <name>-fault-leg.int.test.ts): 领星, 赛狐, then the reverse
    // direction, 金蝶→旺店通 and 金蝶→聚水潭.
    const legs: [string, FaultLeg][] = [
      ['lx', runLingxingFaultLeg],
      ['sh', runSaihuFaultLeg],
      ['kdwdt', runKingdeeWdtFaultLeg],
      ['kdjst', runKingdeeJstFaultLeg],
    ];
    let legFailures = 0;
    for (const [name, leg] of legs) {
      legFailures += (
        await leg({
          endpoints: stack.endpoints,
          workDir: mkdtempSync(join(tmpdir(), `yecai-${name}-fault-`)),
          topicPrefix: `${name}fault${runId}.`,
          mongoDb: `${name}fault_${runId}`,
          report: (line) => console.log(`  ${line}`),
        })
      ).length;
    }
    return result.failures.length + legFailures ? 1 : 0;
  } finally {
    await stack.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`fault suite: ${(error as Error).message}`);
    process.exit(1);
  },
);
