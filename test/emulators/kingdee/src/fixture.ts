import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseWith } from '@yecai/common';
import { z } from 'zod';

const decimalText = z.union([z.string().regex(/^-?\d+(\.\d+)?$/), z.number()]).transform(String);

/** Seed data of an emulated Kingdee site (one JSON file); see fixtures/default.json. */
export const FixtureSchema = z.object({
  dataCenters: z
    .array(
      z.object({
        id: z.string().min(1),
        number: z.string().default('001'),
        name: z.string(),
        users: z.array(z.object({ name: z.string().min(1), password: z.string() })).min(1),
      }),
    )
    .min(1),
  /** 第三方系统登录授权 records: AppID `<clientId>_<32 chars>` + AppSecret, allowed data centres and users. */
  apps: z
    .array(
      z.object({
        appId: z.string().regex(/^[^_]+_[^_]{32}$/),
        appSecret: z.string().min(1),
        acctIds: z.array(z.string()).min(1),
        users: z.array(z.string()).min(1),
      }),
    )
    .default([]),
  organisations: z.array(z.object({ number: z.string().min(1), name: z.string().min(1) })).min(1),
  units: z.array(z.object({ number: z.string(), name: z.string() })).default([]),
  currencies: z.array(z.object({ number: z.string(), name: z.string(), code: z.string().optional() })).default([]),
  materials: z
    .array(
      z.object({
        number: z.string(),
        name: z.string(),
        specification: z.string().optional(),
        baseUnit: z.string().optional(),
        batchManaged: z.boolean().default(false),
        /** 是否网销 (custom field F_YC_IsOnline): materials synced to the OMS. */
        onlineSale: z.boolean().default(false),
        createOrg: z.string().optional(),
        useOrgs: z.array(z.string()).optional(),
      }),
    )
    .default([]),
  customers: z.array(z.object({ number: z.string(), name: z.string(), createOrg: z.string().optional(), useOrgs: z.array(z.string()).optional() })).default([]),
  suppliers: z.array(z.object({ number: z.string(), name: z.string(), createOrg: z.string().optional(), useOrgs: z.array(z.string()).optional() })).default([]),
  warehouses: z
    .array(
      z.object({
        number: z.string(),
        name: z.string(),
        allowNegative: z.boolean().default(false),
        createOrg: z.string().optional(),
        useOrgs: z.array(z.string()).optional(),
      }),
    )
    .default([]),
  /** Opening stock: org number, material number, warehouse number, lot ('' = none), quantity. */
  stock: z.array(z.object({ org: z.string(), material: z.string(), warehouse: z.string(), lot: z.string().default(''), qty: decimalText })).default([]),
  /** Closed through (inclusive) per org number, yyyy-MM-dd. */
  closedThrough: z.record(z.string(), z.string().regex(/^\d{4}-\d{2}-\d{2}$/)).default({}),
});

export type Fixture = z.output<typeof FixtureSchema>;

export const DEFAULT_FIXTURE_PATH = join(__dirname, '..', 'fixtures', 'default.json');

export function loadFixture(path: string = DEFAULT_FIXTURE_PATH): Fixture {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`kingdee emulator: cannot read fixture ${path}: ${(error as Error).message}`, { cause: error });
  }
  return parseWith(FixtureSchema, raw, `fixture ${path}`);
}
