/**
 * What the Kingdee → OMS test pipelines share (issue #20): source-kingdee's launch against a Kingdee emulator seeded
 * with the demo world, a client on the same 账套 for the bills a test makes, and the OMS sink's posting settings.
 */
import { formatBeijingTime, getFreePort } from '@yecai/common';
import { DEMO_KINGDEE_SECRET_ENV, demoKingdeeConnection, type DemoWorld, type SourceLaunch } from '@yecai/demo';
import type { KingdeeEmulator } from '@yecai/emulator-kingdee';
import { KingdeeClient, type BillOperation } from '@yecai/kingdee';
import { repoRoot } from '@yecai/stack';
import { join } from 'node:path';

const ROOT = repoRoot(__dirname);

/** An OMS sink's settings in a test: small batches, quick probes, retries and in-flight resolution, the demo operator. */
export const OMS_SINK_TEST_SETTINGS = {
  batchSize: 10,
  probeIntervalMs: 1_000,
  schedulerIntervalMs: 1_000,
  level2RetryDelaysMs: [2_000, 5_000],
  staleInFlightMs: 5_000,
  admin: { tokens: [{ name: 'demo-operator', role: 'operator', token: 'env:YECAI_DEMO_ADMIN_TOKEN' }] },
};

/**
 * source-kingdee reading `streams` from the emulator since an hour ago (materials too), and a client for the test's
 * own bills. Sets the demo secret in this process's environment, which the client's connection references.
 */
export async function kingdeeSourceLaunch(options: {
  topicPrefix: string;
  kingdee: KingdeeEmulator;
  kingdeeFixture: DemoWorld['kingdeeFixture'];
  streams: readonly string[];
  sinkFlows: readonly string[];
}): Promise<{ launch: SourceLaunch; client: KingdeeClient }> {
  const connection = demoKingdeeConnection(options.kingdee.url, options.kingdeeFixture);
  const secret = options.kingdeeFixture.apps[0]!.appSecret;
  process.env[DEMO_KINGDEE_SECRET_ENV] = secret;
  const account = `kd${options.topicPrefix.toLowerCase().replace(/[^a-z0-9]/g, '')}`.slice(0, 40);
  const startAt = formatBeijingTime(Date.now() - 3_600_000);
  return {
    client: KingdeeClient.fromConfig(connection),
    launch: {
      name: 'source-kingdee',
      main: join(ROOT, 'services/source-kingdee/src/main.ts'),
      config: {
        service: 'source_kingdee',
        opsPort: await getFreePort(),
        pollIntervalSeconds: 2,
        accounts: [{ name: account, startAt, masterDataStartAt: startAt, streams: options.streams, connection }],
      },
      env: { [DEMO_KINGDEE_SECRET_ENV]: secret },
      sinkFlows: options.sinkFlows,
    },
  };
}

/** A consumer group of its own per run (runs share the broker). */
export function omsSinkGroup(sink: string, topicPrefix: string): string {
  return `yecai-sink-${sink}-${topicPrefix.replace(/[^A-Za-z0-9_-]/g, '')}`;
}

/** Runs the operations (Submit, Audit) on a saved bill; throws naming the bill when one is not done. */
export async function operateBill(client: KingdeeClient, formId: string, number: string, ops: readonly BillOperation[]): Promise<void> {
  for (const op of ops) {
    const [outcome] = await client.operateEach(op, formId, { numbers: [number] });
    if (outcome?.status !== 'done') throw new Error(`${op} ${formId} ${number}: ${JSON.stringify(outcome)}`);
  }
}

export interface TestMaterial {
  name?: string;
  /** 是否网销 (F_YC_IsOnline), the F1 condition; default ticked. */
  online?: boolean;
  /** Submitted and audited (default) or only submitted. */
  audit?: boolean;
  /** With base unit Pcs (default) or none (the OMS writers park it). */
  unit?: boolean;
}

/** A material in org 100 (base unit Pcs and stock unit Box unless `unit: false`; not batch-managed), saved, submitted and audited. */
export async function saveMaterial(client: KingdeeClient, number: string, options: TestMaterial = {}): Promise<string> {
  const saved = await client.save('BD_MATERIAL', {
    FCreateOrgId: { FNumber: '100' },
    FUseOrgId: { FNumber: '100' },
    FNumber: number,
    FName: options.name ?? `测试货品 ${number}`,
    FSpecification: '红色;M',
    FBarCode: '6901234567892',
    F_YC_IsOnline: options.online ?? true,
    ...(options.unit === false
      ? { SubHeadEntity: { FErpClsID: '1' } }
      : { SubHeadEntity: { FErpClsID: '1', FBaseUnitId: { FNumber: 'Pcs' } }, SubHeadEntity1: { FStoreUnitID: { FNumber: 'Box' }, FIsBatchManage: false } }),
  } as never);
  await operateBill(client, 'BD_MATERIAL', saved.number, options.audit === false ? ['Submit'] : ['Submit', 'Audit']);
  return number;
}
