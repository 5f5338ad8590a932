import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import express from 'express';
import request from 'supertest';
import { AdminTokensTextSchema, adminCaller, createAdminAuth, matchAdminToken, resolveAdminTokens, type AdminAction } from './admin-auth';
import { parseWith } from './config';
import { createLogger } from './logger';

const VIEWER = 'viewer-secret-0123456789';
const OPERATOR = 'operator-secret-9876543210';

/** A logger whose lines the test reads, with the same redaction as every service's. */
function capturedLogger() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: createLogger('admin-test', {}, { destination, level: 'debug' }), text: () => lines.join('') };
}

function appWith(audit: AdminAction[] = [], logger = capturedLogger().logger) {
  process.env.ADMIN_TEST_VIEWER = VIEWER;
  process.env.ADMIN_TEST_OPERATOR = OPERATOR;
  const tokens = resolveAdminTokens(
    [
      { name: 'alice', role: 'viewer', token: 'env:ADMIN_TEST_VIEWER' },
      { name: 'bob', role: 'operator', token: 'env:ADMIN_TEST_OPERATOR' },
    ],
    'admin.tokens',
  );
  const auth = createAdminAuth({ tokens, logger, audit: (action) => void audit.push(action) });
  const app = express();
  const router = express.Router();
  router.use(auth.guard);
  router.get('/things', (_req, res) => void res.json({ things: [] }));
  router.put('/things/:id', (req, res) => void res.json({ id: req.params.id, by: adminCaller(res)?.name }));
  router.delete('/things/:id', (_req, res) => void res.status(404).json({ removed: false }));
  router.get('/secrets', auth.need('operator'), (_req, res) => void res.json({ ok: true }));
  app.use('/admin', router);
  return app;
}

describe('admin API authentication', () => {
  it('401 without a token, with a wrong one, with another scheme, or with a near miss of a real one', async () => {
    const app = appWith();
    for (const header of [undefined, 'Bearer wrong-token-000000000000', `Basic ${OPERATOR}`, `Bearer ${OPERATOR.slice(0, -1)}`, `Bearer ${OPERATOR}x`, `Bearer ${'x'.repeat(10_000)}`, 'Bearer ']) {
      const call = request(app).put('/admin/things/1');
      const response = header === undefined ? await call : await call.set('Authorization', header);
      expect({ header, status: response.status, field: response.body.field }).toEqual({ header, status: 401, field: 'authorization' });
      expect(response.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(response.body.error).toMatch(/访问令牌.*bearer token/);
    }
    expect((await request(app).get('/admin/things')).status).toBe(401);
    // Unknown paths under a guarded router say nothing about what exists.
    expect((await request(app).get('/admin/nothing-here')).status).toBe(401);
  });

  it('a viewer reads (200) but gets 403 on every changing method; an operator does both', async () => {
    const app = appWith();
    const as = (token: string) => ({ Authorization: `Bearer ${token}` });
    expect((await request(app).get('/admin/things').set(as(VIEWER))).status).toBe(200);
    expect((await request(app).head('/admin/things').set(as(VIEWER))).status).toBe(200);
    for (const call of [request(app).put('/admin/things/1'), request(app).delete('/admin/things/1'), request(app).post('/admin/things'), request(app).patch('/admin/things/1')]) {
      const response = await call.set(as(VIEWER));
      expect(response.status).toBe(403);
      expect(response.body.error).toContain('operator role required (token "alice" is a viewer)');
    }
    expect((await request(app).get('/admin/secrets').set(as(VIEWER))).status).toBe(403);
    expect((await request(app).get('/admin/secrets').set(as(OPERATOR))).status).toBe(200);
    const put = await request(app).put('/admin/things/7').set(as(OPERATOR));
    expect(put.status).toBe(200);
    expect(put.body).toEqual({ id: '7', by: 'bob' });
  });

  it('audits every authenticated change once answered (who, what, outcome) — reads and refused strangers are not actions', async () => {
    const audit: AdminAction[] = [];
    const app = appWith(audit);
    await request(app).get('/admin/things').set('Authorization', `Bearer ${OPERATOR}`);
    await request(app).put('/admin/things/7?note=x').set('Authorization', `Bearer ${OPERATOR}`);
    await request(app).delete('/admin/things/8').set('Authorization', `Bearer ${VIEWER}`);
    await request(app).delete('/admin/things/9');
    await new Promise((resolve) => setImmediate(resolve));
    expect(audit.map(({ actor, role, method, path, status }) => ({ actor, role, method, path, status }))).toEqual([
      { actor: 'bob', role: 'operator', method: 'PUT', path: '/admin/things/7?note=x', status: 200 },
      { actor: 'alice', role: 'viewer', method: 'DELETE', path: '/admin/things/8', status: 403 },
    ]);
    expect(audit[0]!.at).toBeInstanceOf(Date);
  });

  it('never logs a token: not the one presented, not the configured ones', async () => {
    const { logger, text } = capturedLogger();
    const app = appWith([], logger);
    await request(app).put('/admin/things/1').set('Authorization', `Bearer ${OPERATOR}`);
    await request(app).put('/admin/things/1').set('Authorization', 'Bearer not-a-real-token-4242424242');
    await request(app).put('/admin/things/1').set('Authorization', `Bearer ${VIEWER}`);
    const logged = text();
    expect(logged).toContain('"actor":"bob"');
    expect(logged).toContain('admin call refused');
    for (const secret of [OPERATOR, VIEWER, 'not-a-real-token-4242424242']) expect(logged).not.toContain(secret);
    // The logger's redaction covers a request's headers if anything logs them.
    logger.info({ req: { headers: { authorization: `Bearer ${OPERATOR}` } } }, 'request');
    logger.info({ headers: { authorization: `Bearer ${OPERATOR}` }, token: OPERATOR }, 'request');
    expect(text()).not.toContain(OPERATOR);
    expect(text()).toContain('[redacted]');
  });
});

describe('admin tokens from configuration', () => {
  it('reads secrets from the environment and from files, and keeps only their digests', () => {
    const dir = mkdtempSync(join(tmpdir(), 'admin-token-'));
    writeFileSync(join(dir, 'viewer'), `${VIEWER}\n`);
    process.env.ADMIN_TEST_OPERATOR = OPERATOR;
    const tokens = resolveAdminTokens(
      [
        { name: 'grafana', role: 'viewer', token: `file:${join(dir, 'viewer')}` },
        { name: 'ops', role: 'operator', token: 'env:ADMIN_TEST_OPERATOR' },
      ],
      'admin.tokens',
    );
    expect(matchAdminToken(tokens, VIEWER)).toEqual({ name: 'grafana', role: 'viewer' });
    expect(matchAdminToken(tokens, OPERATOR)).toEqual({ name: 'ops', role: 'operator' });
    expect(matchAdminToken(tokens, `${VIEWER}\n`)).toBeUndefined();
    const held = JSON.stringify(tokens.map((token) => ({ ...token, digest: token.digest.toString('latin1') })));
    expect(held).not.toContain(VIEWER);
    expect(held).not.toContain(OPERATOR);
  });

  it('refuses inline, unset, short and shared tokens, naming the entry and never printing the secret', () => {
    process.env.ADMIN_TEST_SHORT = 'short-token';
    process.env.ADMIN_TEST_OPERATOR = OPERATOR;
    process.env.ADMIN_TEST_SAME = OPERATOR;
    delete process.env.ADMIN_TEST_UNSET;
    const attempt = (entries: Parameters<typeof resolveAdminTokens>[0]) => {
      try {
        resolveAdminTokens(entries, 'admin.tokens');
        return 'accepted';
      } catch (error) {
        return (error as Error).message;
      }
    };
    expect(attempt([{ name: 'x', role: 'viewer', token: 'env:ADMIN_TEST_UNSET' }])).toBe('admin.tokens.0.token: environment variable ADMIN_TEST_UNSET is not set');
    expect(attempt([{ name: 'x', role: 'viewer', token: 'env:ADMIN_TEST_SHORT' }])).toMatch(/^admin\.tokens\.0\.token: the token of "x" \(env:ADMIN_TEST_SHORT\) has 11 characters; use at least 16/);
    const shared = attempt([
      { name: 'a', role: 'operator', token: 'env:ADMIN_TEST_OPERATOR' },
      { name: 'b', role: 'viewer', token: 'env:ADMIN_TEST_SAME' },
    ]);
    expect(shared).toBe('admin.tokens.1.token: "b" has the same token as "a"; give every person or role its own');
    for (const message of [shared]) expect(message).not.toContain(OPERATOR);
    expect(() => parseWith(AdminTokensTextSchema, `[{ name: a, role: operator, token: ${OPERATOR} }]`, 'MAPPING_ADMIN_TOKENS')).toThrow(/0\.token: tokens are secret references/);
  });

  it('parses a token list given as YAML or JSON text (an environment variable)', () => {
    const entry = { name: 'ops', role: 'operator', token: 'env:MAPPING_ADMIN_TOKEN' };
    expect(parseWith(AdminTokensTextSchema, '[{ name: ops, role: operator, token: "env:MAPPING_ADMIN_TOKEN" }]', 'env')).toEqual([entry]);
    expect(parseWith(AdminTokensTextSchema, JSON.stringify([entry]), 'env')).toEqual([entry]);
    expect(parseWith(AdminTokensTextSchema, undefined, 'env')).toEqual([]);
    expect(() => parseWith(AdminTokensTextSchema, 'ops:operator', 'MAPPING_ADMIN_TOKENS')).toThrow(/MAPPING_ADMIN_TOKENS: invalid — \(root\): a YAML\/JSON list/);
    expect(() => parseWith(AdminTokensTextSchema, '[{ name: ops, role: admin, token: "env:X" }]', 'MAPPING_ADMIN_TOKENS')).toThrow(/0\.role/);
  });
});

describe('token comparison', () => {
  it('compares the fixed-length digest with every configured token, wherever (and whether) it matches', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const crypto = require('node:crypto') as typeof import('node:crypto');
    const compare = jest.spyOn(crypto, 'timingSafeEqual');
    try {
      const names = ['a', 'b', 'c', 'd'];
      names.forEach((name, index) => (process.env[`ADMIN_TEST_T${index}`] = `token-${name}-0123456789abcdef`));
      const tokens = resolveAdminTokens(names.map((name, index) => ({ name, role: 'viewer' as const, token: `env:ADMIN_TEST_T${index}` })), 't');
      for (const presented of ['token-a-0123456789abcdef', 'token-d-0123456789abcdef', 'nope', 'x'.repeat(5000)]) {
        compare.mockClear();
        matchAdminToken(tokens, presented);
        expect({ presented: presented.slice(0, 30), comparisons: compare.mock.calls.length, lengths: compare.mock.calls.map(([left, right]) => [(left as Buffer).length, (right as Buffer).length]) }).toEqual({
          presented: presented.slice(0, 30),
          comparisons: 4,
          lengths: [[32, 32], [32, 32], [32, 32], [32, 32]],
        });
      }
    } finally {
      compare.mockRestore();
    }
  });
});
