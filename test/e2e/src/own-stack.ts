import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalStack, cacheDir, repoRoot, type StackEndpoints } from '@yecai/stack';

/**
 * A stack of its own (Kafka, registry, FerretDB on free ports, data in a temp dir) for a run that restarts the
 * broker: the fault suite must not pull the broker away from tests running beside it.
 */
export async function startOwnStack(report: (line: string) => void = () => undefined): Promise<{
  endpoints: StackEndpoints;
  restartBroker: () => Promise<void>;
  stop: () => Promise<void>;
}> {
  const root = repoRoot(__dirname);
  const stack = new LocalStack({
    root,
    cacheDir: cacheDir(root),
    stateDir: mkdtempSync(join(tmpdir(), 'yecai-fault-stack-')),
    ephemeral: true,
    kafkaHeap: '512m',
    report,
  });
  try {
    const endpoints = await stack.up();
    return {
      endpoints,
      restartBroker: () => stack.restartComponent('kafka', 'SIGKILL'),
      stop: async () => {
        await stack.down();
      },
    };
  } catch (error) {
    await stack.down().catch(() => undefined);
    throw error;
  }
}
