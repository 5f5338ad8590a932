import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { errorMessage } from './errors';

export interface OpsServerOptions {
  port: number;
  host?: string;
  registry: Registry;
  /** Readiness: true once the service can do its work (connected, assigned, not paused by outage). */
  isReady: () => boolean | Promise<boolean>;
  /** Extra routes (e.g. an admin API) mounted on the same server. */
  mount?: (app: express.Express) => void;
}

export interface OpsServer {
  port: number;
  /** The address it listens on (127.0.0.1 unless YECAI_OPS_HOST or `host` said otherwise). */
  host: string;
  /** The express app: its routes are walked by the tests that prove every admin route is authenticated. */
  app: express.Express;
  close(): Promise<void>;
}

/** `/healthz`, `/readyz` and `/metrics` — the same three endpoints on every yecai service. */
export async function startOpsServer(options: OpsServerOptions): Promise<OpsServer> {
  const app = express();
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const ready = await Promise.resolve(options.isReady()).catch(() => false);
    res.status(ready ? 200 : 503).json({ ready });
  });
  app.get('/metrics', async (_req, res) => {
    res.set('Content-Type', options.registry.contentType);
    res.send(await options.registry.metrics());
  });
  options.mount?.(app);
  const server: Server = await new Promise((resolve, reject) => {
    // Loopback unless told otherwise: in a pod, YECAI_OPS_HOST=0.0.0.0 lets the kubelet's probes and Prometheus in.
    const host = options.host ?? process.env.YECAI_OPS_HOST ?? '127.0.0.1';
    const listening = app.listen(options.port, host, () => resolve(listening));
    listening.once('error', reject);
  });
  return {
    port: (server.address() as AddressInfo).port,
    host: (server.address() as AddressInfo).address,
    app,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A fresh registry with Node process metrics, one per service instance. */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}

/**
 * The life of a long-running service process, one way for every service: `start` opens what the service needs and
 * returns how to close it, in order; SIGTERM (Kubernetes) or SIGINT (Ctrl-C) closes those and exits 0. A start that
 * fails prints one line naming the service and exits 1.
 */
export function runServiceProcess(name: string, start: () => Promise<ReadonlyArray<() => Promise<unknown>>>): void {
  start()
    .then((closers) => {
      const shutdown = async () => {
        for (const close of closers) await close();
        process.exit(0);
      };
      process.once('SIGTERM', () => void shutdown());
      process.once('SIGINT', () => void shutdown());
    })
    .catch((error: unknown) => {
      process.stderr.write(`${name} failed to start: ${errorMessage(error)}\n`);
      process.exit(1);
    });
}
