/**
 * The reconciliation service's admin API over real Kafka + FerretDB and the Kingdee emulator: every route but the
 * probes and /metrics needs a token (walked, not listed), a viewer cannot start a run, an operator's run is kept and
 * served back as JSON and as the workbook, and /metrics shows its difference rate.
 */
import { createMetricsRegistry, resolveAdminTokens, startOpsServer, type OpsServer } from '@yecai/common';
import type { KingdeeEmulator } from '@yecai/emulator-kingdee';
import { KingdeeClient, resolveKingdeeConnection } from '@yecai/kingdee';
import { canonical, kingdeeConfig, startEmulator } from '@yecai/sink-kingdee/test/fixtures';
import {
  TOKENS,
  startSinkUnderTest,
  useUniqueTopicPrefix,
  type SinkUnderTest,
} from '@yecai/sink-kingdee/test/sink-under-test';
import { PUBLIC_OPS_ROUTES, adminAuthProblems, expressRoutes, testKafka, uniqueName } from '@yecai/test-harness';
import { mountReconcileAdmin } from './admin-api';
import { parseReconcileConfig } from './config';
import { ReconcileService } from './service';

jest.setTimeout(180_000);

describe('reconciliation service admin API (real Kafka + FerretDB + Kingdee emulator)', () => {
  let emulator: KingdeeEmulator;
  let sink: SinkUnderTest;
  let service: ReconcileService;
  let ops: OpsServer;
  let base: string;
  const kafka = testKafka();

  beforeAll(async () => {
    useUniqueTopicPrefix();
    emulator = await startEmulator();
    sink = await startSinkUnderTest(emulator);
    const config = parseReconcileConfig({
      kingdee: kingdeeConfig(emulator),
      groupId: uniqueName('yecai-reconcile'),
      admin: {
        tokens: [
          { name: 'alice', role: 'viewer', token: 'env:SINK_TEST_VIEWER_TOKEN' },
          { name: 'bob', role: 'operator', token: 'env:SINK_TEST_OPERATOR_TOKEN' },
        ],
      },
    });
    const registry = createMetricsRegistry('reconcile-test');
    service = new ReconcileService({
      config,
      db: sink.db,
      kafka,
      serde: sink.serde,
      kingdee: new KingdeeClient(resolveKingdeeConnection(config.kingdee)),
      metricsRegistry: registry,
    });
    ops = await startOpsServer({
      port: 0,
      registry,
      isReady: () => true,
      mount: (app) => mountReconcileAdmin(app, service, resolveAdminTokens(config.admin.tokens, 'admin.tokens')),
    });
    base = `http://127.0.0.1:${ops.port}`;
  });
  afterAll(async () => {
    await service?.stop();
    await ops?.close();
    await sink?.stop();
    await kafka.disconnect();
    await emulator?.close();
  });

  const call = (path: string, token: string, body?: unknown) =>
    fetch(`${base}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  it('every route but the probes and /metrics needs a token; a viewer cannot start a run', async () => {
    const routes = expressRoutes(ops.app);
    const names = routes.map((route) => `${route.method} ${route.path}`);
    expect(names).toEqual(
      expect.arrayContaining([
        'GET /admin/reports',
        'GET /admin/reports/:period',
        'GET /admin/reports/:period/workbook',
        'GET /admin/reports/:period/html',
        'POST /admin/runs',
      ]),
    );
    const admin = routes.filter((route) => !PUBLIC_OPS_ROUTES.includes(`${route.method} ${route.path}`));
    expect(await adminAuthProblems(base, admin, TOKENS)).toEqual([]);
  });

  it('an operator runs a period; the report is kept, served as JSON and workbook, and exported on /metrics', async () => {
    await sink.produce(
      'sales_outstock',
      ['S-1', 'S-2'].map((id) => canonical('sales_outstock', id, { date: '2026-11-08' })),
    );
    await sink.waitForStates({ POSTED: 2 }, 'both posted');

    const bad = await call('/admin/runs', TOKENS.operator, { period: '2026-13' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ field: 'period' });
    expect((await call('/admin/reports/2026-11', TOKENS.viewer)).status).toBe(404);

    const run = await call('/admin/runs', TOKENS.operator, { period: '2026-11' });
    expect(run.status).toBe(200);
    expect(await run.json()).toMatchObject({ period: '2026-11', verdict: '一致', differences: 0 });

    expect(await (await call('/admin/reports', TOKENS.viewer)).json()).toEqual({
      reports: [expect.objectContaining({ period: '2026-11', verdict: '一致', by: 'bob' })],
    });
    expect(await (await call('/admin/reports/2026-11', TOKENS.viewer)).json()).toMatchObject({
      period: '2026-11',
      summaries: [expect.objectContaining({ sourceDocuments: 2, kingdeeDocuments: 2 })],
    });
    const workbook = await call('/admin/reports/2026-11/workbook', TOKENS.viewer);
    expect(workbook.headers.get('content-type')).toMatch(/spreadsheetml/);
    expect(
      Buffer.from(await workbook.arrayBuffer())
        .subarray(0, 2)
        .toString(),
    ).toBe('PK');
    expect(await (await call('/admin/reports/2026-11/html', TOKENS.viewer)).text()).toContain(
      '<span class="一致">一致</span>',
    );
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(
      /yecai_reconcile_difference_rate\{flow="sales_outstock",org="100",period="2026-11",kind="amount",service="reconcile-test"\} 0/,
    );
  });
});
