/** Starts the console in-process (its ops server + API + pages) over the harness's MongoDB, with two users. */
import { startOpsServer, createMetricsRegistry, type OpsServer } from '@yecai/common';
import { testMongo } from '@yecai/test-harness';
import type { Db } from 'mongodb';
import { mountConsole } from '../src/app';
import { AuditLog } from '../src/audit';
import { resolveConsoleConfig } from '../src/config';

export const USERS = {
  operator: { name: 'olivia', password: 'operator-password-1' },
  viewer: { name: 'victor', password: 'viewer-password-1' },
};
process.env.CONSOLE_TEST_SESSION_SECRET = 'console-test-session-secret-0123456789abcdef';
process.env.CONSOLE_TEST_OPERATOR_PASSWORD = USERS.operator.password;
process.env.CONSOLE_TEST_VIEWER_PASSWORD = USERS.viewer.password;

export interface ConsoleUnderTest {
  ops: OpsServer;
  baseUrl: string;
  db: Db;
  audit: AuditLog;
  /** The session cookie of a user (`name=value`), from a real login. */
  login(user: { name: string; password: string }): Promise<string>;
  stop(): Promise<void>;
}

export async function startConsoleUnderTest(
  services: { sink: { url: string; tokenEnv: string }; mapping: { url: string; tokenEnv: string } },
  webDist?: string,
): Promise<ConsoleUnderTest> {
  const mongo = await testMongo('console');
  const config = resolveConsoleConfig({
    session: { secret: 'env:CONSOLE_TEST_SESSION_SECRET', ttlMinutes: 60 },
    users: [
      { name: USERS.operator.name, role: 'operator', password: 'env:CONSOLE_TEST_OPERATOR_PASSWORD' },
      { name: USERS.viewer.name, role: 'viewer', password: 'env:CONSOLE_TEST_VIEWER_PASSWORD' },
    ],
    services: {
      sink: { url: services.sink.url, token: `env:${services.sink.tokenEnv}` },
      mapping: { url: services.mapping.url, token: `env:${services.mapping.tokenEnv}` },
    },
  });
  const audit = new AuditLog(mongo.db);
  await audit.ensureIndexes();
  const ops = await startOpsServer({
    port: 0,
    registry: createMetricsRegistry('console-test'),
    isReady: () => true,
    mount: (app) => mountConsole(app, { config, audit, ...(webDist ? { webDist } : {}) }),
  });
  const baseUrl = `http://127.0.0.1:${ops.port}`;
  return {
    ops,
    baseUrl,
    db: mongo.db,
    audit,
    async login(user) {
      const response = await fetch(`${baseUrl}/api/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(user),
      });
      if (response.status !== 200)
        throw new Error(`login of ${user.name}: ${response.status} ${await response.text()}`);
      return response.headers.get('set-cookie')!.split(';')[0]!;
    },
    async stop() {
      await ops.close();
      await mongo.close();
    },
  };
}
