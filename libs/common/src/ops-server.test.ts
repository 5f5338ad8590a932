import { Registry } from 'prom-client';
import { startOpsServer } from './ops-server';

describe('startOpsServer', () => {
  afterEach(() => {
    delete process.env.YECAI_OPS_HOST;
  });

  it('serves /healthz, /readyz and /metrics on loopback by default', async () => {
    const registry = new Registry();
    let ready = false;
    const server = await startOpsServer({ port: 0, registry, isReady: () => ready });
    try {
      expect(server.host).toBe('127.0.0.1');
      const base = `http://127.0.0.1:${server.port}`;
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      expect((await fetch(`${base}/readyz`)).status).toBe(503);
      ready = true;
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
      expect((await fetch(`${base}/metrics`)).headers.get('content-type')).toContain('text/plain');
    } finally {
      await server.close();
    }
  });

  it('listens where YECAI_OPS_HOST says (0.0.0.0 in a pod, so probes and Prometheus reach it)', async () => {
    process.env.YECAI_OPS_HOST = '0.0.0.0';
    const server = await startOpsServer({ port: 0, registry: new Registry(), isReady: () => true });
    try {
      expect(server.host).toBe('0.0.0.0');
      expect((await fetch(`http://127.0.0.1:${server.port}/healthz`)).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});
