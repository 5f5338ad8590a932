import { Decimal } from '@yecai/common';
import { startKingdeeEmulator, type KingdeeEmulator, type KingdeeEmulatorOptions } from '@yecai/emulator-kingdee';
import { KingdeeClient, type KingdeeClientDeps, type SalesOutStockModel } from '../src';

/** Credentials of the default emulator fixture (test/emulators/kingdee/fixtures/default.json). */
export const FIXTURE = {
  acctId: '6571a2b3c4d5e6',
  userName: 'yecai-integration',
  password: 'Kd@2024!demo',
  appId: '300123_Q2kDWNdw1LBa4D0NTa6ADbQqTZbJUCTB',
  appSecret: '8b2677b7426a4ce7b3de6413d8924bbe',
};

process.env.KD_TEST_APP_SECRET = FIXTURE.appSecret;
process.env.KD_TEST_PASSWORD = FIXTURE.password;

export function startEmulator(options: KingdeeEmulatorOptions = {}): Promise<KingdeeEmulator> {
  return startKingdeeEmulator({ port: 0, ...options });
}

export function clientFor(emulator: { url: string }, overrides: Record<string, unknown> = {}, deps: KingdeeClientDeps = {}): KingdeeClient {
  return KingdeeClient.fromConfig(
    {
      name: 'test-connection',
      serverUrl: emulator.url,
      acctId: FIXTURE.acctId,
      userName: FIXTURE.userName,
      auth: { mode: 'signature', appId: FIXTURE.appId, appSecret: 'env:KD_TEST_APP_SECRET' },
      retry: { maxAttempts: 3, initialDelayMs: 5, maxDelayMs: 20 },
      timeoutMs: 5000,
      limits: { callsPerSecond: 1000, maxConcurrent: 8 },
      ...overrides,
    },
    deps,
  );
}

let counter = 0;
/** Bill numbers unique within a test run. */
export function billNo(prefix = 'JST-IO'): string {
  counter += 1;
  return `${prefix}-${process.pid}-${counter}`;
}

/** A JST sales out-stock as the mapping would emit it (flows.md §2). */
export function salesOut(number: string, overrides: { qty?: string; material?: string; lot?: string; warehouse?: string; customer?: string; date?: string } = {}): SalesOutStockModel {
  return {
    FBillNo: number,
    FBillTypeID: { FNumber: 'XSCKD01_SYS' },
    FDate: overrides.date ?? '2025-03-01',
    FSaleOrgId: { FNumber: '100' },
    FStockOrgId: { FNumber: '100' },
    FCustomerID: { FNumber: overrides.customer ?? 'TM-YS01' },
    FOwnerTypeIdHead: 'BD_OwnerOrg',
    FOwnerIdHead: { FNumber: '100' },
    FNote: '聚水潭 TB-889900',
    F_YC_LogisticsNo: 'SF1234567890',
    F_YC_OnlineOrderNo: 'TB-889900',
    SubHeadEntity: { FSettleCurrID: { FNumber: 'PRE001' } },
    FEntity: [
      {
        FMaterialID: { FNumber: overrides.material ?? 'A1001-BLK' },
        FUnitID: { FNumber: 'Pcs' },
        FRealQty: new Decimal(overrides.qty ?? '2'),
        FTaxPrice: new Decimal('199.90'),
        FEntryTaxRate: new Decimal('13'),
        FStockID: { FNumber: overrides.warehouse ?? 'CK001' },
        FLot: { FNumber: overrides.lot ?? '0' },
      },
    ],
  };
}
