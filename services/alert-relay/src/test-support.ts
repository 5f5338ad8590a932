import { createLogger } from '@yecai/common';
import { startRobotsEmulator, type RobotsEmulator } from '@yecai/emulator-robots';
import { Registry } from 'prom-client';
import { parseRelayConfig } from './config';
import { startAlertRelay, type RunningAlertRelay } from './service';

/** The robots' secrets as the relay reads them (env references) and the emulators check them. */
export const TEST_SECRETS = {
  ALERT_TEST_DT_TOKEN: 'dt-access-token-1',
  ALERT_TEST_DT_SECRET: 'SECrelay-test-secret',
  ALERT_TEST_WECOM_KEY: 'wecom-key-1',
  ALERT_TEST_RECEIVER: 'alertmanager-token-0123456789',
};

export interface RelayWithRobots {
  robots: RobotsEmulator;
  relay: RunningAlertRelay;
  registry: Registry;
  /** The bearer token Alertmanager must present. */
  receiverToken: string;
  close(): Promise<void>;
}

/** A DingTalk and a WeCom robot emulator and a relay (robots `ops-dingtalk`, `ops-wecom`) delivering to them. */
export async function startRelayWithRobots(options: { consoleUrl: string; dingTalkSecretOnRobot?: string; initialDelayMs?: number }): Promise<RelayWithRobots> {
  Object.assign(process.env, TEST_SECRETS);
  const robots = await startRobotsEmulator({
    dingtalk: [{ accessToken: TEST_SECRETS.ALERT_TEST_DT_TOKEN, secret: options.dingTalkSecretOnRobot ?? TEST_SECRETS.ALERT_TEST_DT_SECRET }],
    wecom: [{ key: TEST_SECRETS.ALERT_TEST_WECOM_KEY }],
  });
  const registry = new Registry();
  const config = parseRelayConfig({
    port: 0,
    consoleUrl: options.consoleUrl,
    receiverTokens: [{ name: 'alertmanager', role: 'operator', token: 'env:ALERT_TEST_RECEIVER' }],
    robots: [
      { kind: 'dingtalk', name: 'ops-dingtalk', url: robots.dingTalkUrl, accessToken: 'env:ALERT_TEST_DT_TOKEN', secret: 'env:ALERT_TEST_DT_SECRET' },
      { kind: 'wecom', name: 'ops-wecom', url: robots.weComUrl, key: 'env:ALERT_TEST_WECOM_KEY' },
    ],
  });
  const relay = await startAlertRelay(config, { logger: createLogger('alert-relay-test'), registry, initialDelayMs: options.initialDelayMs });
  return {
    robots,
    relay,
    registry,
    receiverToken: TEST_SECRETS.ALERT_TEST_RECEIVER,
    close: async () => {
      await relay.close();
      await robots.close();
    },
  };
}
