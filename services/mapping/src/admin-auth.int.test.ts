/**
 * The mapping service's admin API is authenticated route by route: every route of its ops server (walked, not
 * listed — a new route is checked the day it is added) refuses anonymous and wrong tokens with 401 and viewers on
 * changes with 403; operators' changes land in the audit trail with their name.
 */
import { Registry } from 'prom-client';
import { resolveAdminTokens, startOpsServer, type OpsServer } from '@yecai/common';
import { PUBLIC_OPS_ROUTES, adminAuthProblems, expressRoutes, testEndpoints, testKafka, testMongo } from '@yecai/test-harness';
import { ADMIN_AUDIT_COLLECTION, type AdminAuditRecord } from './admin';
import { loadRules } from './rules/load-rules';
import { MappingService } from './service';

const TOKENS = { viewer: 'mapping-viewer-token-0001', operator: 'mapping-operator-token-0002' };
process.env.MAPPING_AUTH_TEST_VIEWER = TOKENS.viewer;
process.env.MAPPING_AUTH_TEST_OPERATOR = TOKENS.operator;

describe('mapping admin API authentication (FerretDB)', () => {
  const kafka = testKafka('mapping-admin-auth');
  let mongo: Awaited<ReturnType<typeof testMongo>>;
  let service: MappingService;
  let ops: OpsServer;
  let base: string;
  const call = (path: string, token: string | null, init: { method?: string; body?: unknown } = {}) =>
    fetch(`${base}${path}`, {
      method: init.method ?? 'GET',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });

  beforeAll(async () => {
    mongo = await testMongo('mapping_admin');
    const registry = new Registry();
    service = new MappingService({ kafka, registryUrl: testEndpoints().schemaRegistryUrl, db: mongo.db, rules: loadRules(), metricsRegistry: registry, reprocessIntervalMs: 0 });
    const tokens = resolveAdminTokens(
      [
        { name: 'viewer-vicky', role: 'viewer', token: 'env:MAPPING_AUTH_TEST_VIEWER' },
        { name: 'operator-otto', role: 'operator', token: 'env:MAPPING_AUTH_TEST_OPERATOR' },
      ],
      'MAPPING_ADMIN_TOKENS',
    );
    // The ops server exactly as main.ts starts it.
    ops = await startOpsServer({ port: 0, registry, isReady: () => true, mount: (app) => service.mountAdmin(app, tokens) });
    base = `http://127.0.0.1:${ops.port}`;
  });

  afterAll(async () => {
    await ops?.close();
    await service?.stop();
    await kafka.disconnect();
    await mongo?.close();
  });

  it('every route but the probes and /metrics needs a token: 401 without or with a wrong one, 403 for a viewer on every change', async () => {
    const routes = expressRoutes(ops.app);
    const names = routes.map((route) => `${route.method} ${route.path}`);
    expect(names.filter((name) => PUBLIC_OPS_ROUTES.includes(name))).toEqual([...PUBLIC_OPS_ROUTES]);
    const admin = routes.filter((route) => !PUBLIC_OPS_ROUTES.includes(`${route.method} ${route.path}`));
    // The walk found the changing routes (else the check below would prove nothing).
    expect(names).toEqual(
      expect.arrayContaining(['PUT /master-data/:entity', 'DELETE /master-data/:entity/*key', 'POST /master-data/:entity/import', 'POST /parked/:id/repush', 'POST /parked/:id/skip', 'GET /parked']),
    );
    expect(await adminAuthProblems(base, admin, TOKENS)).toEqual([]);
    for (const path of ['/healthz', '/readyz', '/metrics']) expect((await call(path, null)).status).toBe(200);
  });

  it('audits master-data changes by the operator’s name; a viewer changes nothing', async () => {
    const currency = { code: 'USD', kingdeeCurrencyNumber: 'PRE007' };
    expect((await call('/master-data/currency', TOKENS.viewer, { method: 'PUT', body: currency })).status).toBe(403);
    expect(await service.masterData.get('currency', 'USD')).toBeNull();
    expect((await call('/master-data/currency', TOKENS.operator, { method: 'PUT', body: currency })).status).toBe(200);
    expect((await call('/master-data/currency/USD', TOKENS.operator, { method: 'DELETE' })).status).toBe(200);
    const trail = mongo.db.collection<AdminAuditRecord>(ADMIN_AUDIT_COLLECTION);
    let records: AdminAuditRecord[] = [];
    for (let attempt = 0; attempt < 50; attempt += 1) {
      records = await trail.find({ path: /^\/master-data\/currency/ }).sort({ at: 1 }).toArray();
      if (records.length >= 3) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(records.map(({ service: who, actor, role, method, path, status }) => ({ who, actor, role, method, path, status }))).toEqual([
      { who: 'mapping', actor: 'viewer-vicky', role: 'viewer', method: 'PUT', path: '/master-data/currency', status: 403 },
      { who: 'mapping', actor: 'operator-otto', role: 'operator', method: 'PUT', path: '/master-data/currency', status: 200 },
      { who: 'mapping', actor: 'operator-otto', role: 'operator', method: 'DELETE', path: '/master-data/currency/USD', status: 200 },
    ]);
  });

  it('a parked document skipped by an operator keeps who and why; skipping needs a reason', async () => {
    const source = { topic: 'raw.jushuitan.sales_outstock', partition: 0, offset: '41' };
    await service.parking.park({ stage: 'mapping', flow: 'jushuitan/sales_outstock', key: 'jushuitan/main/sales_outstock/1', level: 1, code: 'MASTER_DATA_MISSING', reasonZh: '缺少仓库', reasonEn: 'warehouse missing', raw: { io_id: 1 }, source });
    const id = encodeURIComponent(`mapping|jushuitan/sales_outstock|${source.topic}|0|41`);
    expect((await call(`/parked/${id}/skip`, TOKENS.viewer, { method: 'POST', body: { note: '测试单 test order' } })).status).toBe(403);
    const noReason = await call(`/parked/${id}/skip`, TOKENS.operator, { method: 'POST', body: {} });
    expect(noReason.status).toBe(400);
    expect(await noReason.json()).toMatchObject({ field: 'note', error: expect.stringContaining('note is required') });
    expect((await call(`/parked/${id}/skip`, TOKENS.operator, { method: 'POST', body: { note: '测试单 test order' } })).status).toBe(200);
    const entry = await (await call(`/parked/${id}`, TOKENS.viewer)).json();
    expect(entry).toMatchObject({ status: 'SKIPPED', by: 'operator-otto', note: '测试单 test order' });
    // The query box (?q=) on the lists: found by its reason, ignoring case; an over-long q is a 400 naming q.
    const found = (await (await call('/parked?q=WAREHOUSE%20MISS', TOKENS.viewer)).json()) as { documents: { key: string }[] };
    expect(found.documents.map((document) => document.key)).toEqual(['jushuitan/main/sales_outstock/1']);
    for (const list of ['/parked', '/filtered']) {
      const tooLong = await call(`${list}?q=${'x'.repeat(201)}`, TOKENS.viewer);
      expect(tooLong.status).toBe(400);
      expect(await tooLong.json()).toMatchObject({ field: 'q', error: expect.stringContaining('q: at most 200 characters') });
    }
  });
});
