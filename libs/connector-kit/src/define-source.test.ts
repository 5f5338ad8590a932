import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { parseBeijingTime, type ValidationError } from '@yecai/common';
import { defineSource } from './define-source';
import { defineStreams } from './stream';
import type { SourceTransport } from './transport';

const MINUTE = 60_000;
const STREAMS = defineStreams('demo', [
  {
    name: 'sales_outstock',
    documentType: 'sales_outstock',
    endpoint: '/sales',
    idField: 'id',
    modifiedField: 'modified',
    modifiedFormat: 'beijing_datetime',
    cursor: {
      kind: 'modified_time',
      maxWindowMs: 7 * 1440 * MINUTE,
      windowMs: 60 * MINUTE,
      overlapMs: 5 * MINUTE,
      settleLagMs: MINUTE,
    },
    paging: { style: 'page_index_backward', pageSize: 50, maxPageSize: 50 },
  },
]);
const account = z.object({
  name: z.string(),
  startAt: z.string(),
  streams: z.array(z.string()).optional(),
  rateLimits: z.object({ perSecond: z.number(), perMinute: z.number() }).default({ perSecond: 5, perMinute: 100 }),
  edition: z.enum(['a', 'b']).default('a').describe('API edition'),
  masterStartAt: z.string().default('2020-01-01 00:00:00'),
});
const transport = (name: string): SourceTransport => ({
  system: 'demo',
  fetchPage: async () => ({ records: [], hasNext: false }),
  check: async () => ({ ok: true, message: name }),
});
const demo = defineSource({
  system: 'demo',
  opsPort: 9499,
  maxWindowMinutes: 7 * 1440,
  configEnv: 'YECAI_DEMO_CONFIG',
  account,
  group: (a) => a.edition,
  streams: (group, overrides) =>
    STREAMS.map((s) => ({
      ...s,
      endpoint: `/${group}${s.endpoint}`,
      cursor: { ...s.cursor, windowMs: (overrides.windowMinutes ?? 60) * MINUTE },
    })) as typeof STREAMS,
  groups: ['a', 'b'],
  streamStartAtMs: (a, index) => ({
    sales_outstock: parseBeijingTime(a.masterStartAt, `accounts.${index}.masterStartAt`),
  }),
  createTransport: (a) => transport(a.name),
});

const dir = mkdtempSync(join(tmpdir(), 'define-source-'));
const file = (content: unknown) => {
  const path = join(dir, `${Math.random()}.json`);
  writeFileSync(path, JSON.stringify(content));
  return path;
};
const accountOf = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  startAt: '2026-11-01 00:00:00',
  ...extra,
});

describe('defineSource', () => {
  it('derives the service names and applies the shared defaults', async () => {
    expect([demo.serviceName, demo.deploymentName]).toEqual(['source_demo', 'source-demo']);
    const config = await demo.loadConfig(file({ accounts: [accountOf('acme')] }), {});
    expect(config).toMatchObject({ service: 'source_demo', opsPort: 9499, pollIntervalSeconds: 30, retry: {} });
    expect(demo.allStreams.map((s) => s.name)).toEqual(['sales_outstock']);
  });

  it('lets the environment override the service settings, naming the variable in errors', async () => {
    const path = file({ opsPort: 1, accounts: [accountOf('acme')] });
    const config = await demo.loadConfig(path, {
      YECAI_DEMO_OPS_PORT: '9600',
      YECAI_DEMO_WINDOW_MINUTES: '30',
      YECAI_DEMO_KAFKA_BROKERS: 'a:9092, b:9092',
    });
    expect(config).toMatchObject({ opsPort: 9600, windowMinutes: 30, kafkaBrokers: ['a:9092', 'b:9092'] });
    await expect(demo.loadConfig(path, { YECAI_DEMO_POLL_INTERVAL_SECONDS: 'soon' })).rejects.toThrow(
      'YECAI_DEMO_POLL_INTERVAL_SECONDS: "soon" is not a number',
    );
    expect(demo.envOverrides).toMatchObject({
      YECAI_DEMO_OPS_PORT: 'opsPort',
      YECAI_DEMO_SCHEMA_REGISTRY_URL: 'schemaRegistryUrl',
    });
  });

  it('rejects bad config with the field named: duplicate accounts, bad times, the source’s own start checks', async () => {
    const fieldOf = (promise: Promise<unknown>) =>
      promise.then(
        () => undefined,
        (error: ValidationError) => error.field,
      );
    expect(await fieldOf(demo.loadConfig(file({ accounts: [accountOf('acme'), accountOf('acme')] }), {}))).toBe(
      'accounts.1.name',
    );
    expect(await fieldOf(demo.loadConfig(file({ accounts: [accountOf('acme', { startAt: 'yesterday' })] }), {}))).toBe(
      'accounts.0.startAt',
    );
    expect(
      await fieldOf(demo.loadConfig(file({ accounts: [accountOf('acme', { masterStartAt: 'never' })] }), {})),
    ).toBe('accounts.0.masterStartAt');
    expect(await fieldOf(demo.loadConfig(file({ accounts: [] }), {}))).toBe('accounts');
  });

  it('wires one runtime per group of accounts (WDT: editions) and one transport per account', async () => {
    const config = demo.validateConfig(
      {
        kafkaBrokers: ['localhost:1'],
        schemaRegistryUrl: 'http://localhost:1',
        windowMinutes: 15,
        accounts: [accountOf('one'), accountOf('two', { edition: 'b' }), accountOf('three')],
      },
      'test',
    );
    expect([...demo.createTransports(config).keys()]).toEqual(['one', 'two', 'three']);
    const service = demo.createService(config);
    expect([...service.runtime.byGroup.keys()]).toEqual(['a', 'b']);
    expect(service.runtime.ready).toBe(false);
    await service.close();
  });

  it('prints a config reference generated from the schema, with defaults, overrides and descriptions', () => {
    const reference = demo.configReference();
    expect(reference).toContain(
      '| `opsPort` | integer | `9499` | YECAI_DEMO_OPS_PORT | Port of /healthz /readyz /metrics |',
    );
    expect(reference).toContain('`accounts[].edition`');
    expect(reference).toContain('API edition');
    expect(reference).toContain('`accounts` (required)');
  });
});
