import { startOpsServer, type Logger } from '@yecai/common';
import type { Registry } from 'prom-client';
import { resolveReceiverTokens, resolveRobots, type RelayConfig } from './config';
import { AlertRelay } from './relay';

export interface RunningAlertRelay {
  port: number;
  /** `http://<host>:<port>`: Alertmanager's webhook URL is this + `/alerts`. */
  url: string;
  /** Robot names (never their secrets). */
  robots: string[];
  relay: AlertRelay;
  close(): Promise<void>;
}

/** Resolves the secrets, then serves the webhook on the ops server (/healthz /readyz /metrics). */
export async function startAlertRelay(
  config: RelayConfig,
  deps: { logger: Logger; registry: Registry; host?: string; now?: () => number; initialDelayMs?: number },
): Promise<RunningAlertRelay> {
  const robots = resolveRobots(config);
  const relay = new AlertRelay({
    robots,
    receiverTokens: resolveReceiverTokens(config),
    consoleUrl: config.consoleUrl,
    maxAttempts: config.maxAttempts,
    perMinute: config.perMinute,
    registry: deps.registry,
    logger: deps.logger,
    now: deps.now,
    initialDelayMs: deps.initialDelayMs,
  });
  const ops = await startOpsServer({ port: config.port, host: deps.host, registry: deps.registry, isReady: () => true, mount: (app) => relay.mount(app) });
  return {
    port: ops.port,
    url: `http://${ops.host}:${ops.port}`,
    robots: robots.map((robot) => robot.name),
    relay,
    close: () => ops.close(),
  };
}
