import { AdminTokenEntrySchema, parseWith, readConfigFile, resolveAdminTokens, resolveSecret, type AdminToken } from '@yecai/common';
import { z } from 'zod';

const secretReference = z.string().regex(/^(env|file):.+/, 'secrets are references: env:NAME or file:/path, never inline');
/** A robot's name is its metric label and log key: never the access token or key. */
const robotName = z.string().regex(/^[A-Za-z0-9_.-]{1,40}$/, 'letters, digits, _ . - (it labels metrics; never put a secret here)');

const DingTalkRobotSchema = z.object({
  kind: z.literal('dingtalk'),
  name: robotName,
  /** The custom robot's endpoint without its query (the emulator's in tests). */
  url: z.url().default('https://oapi.dingtalk.com/robot/send'),
  /** The `access_token` of the robot's webhook URL. */
  accessToken: secretReference,
  /** The robot's 加签 secret (SEC…): every message is signed with it. */
  secret: secretReference,
});

const WeComRobotSchema = z.object({
  kind: z.literal('wecom'),
  name: robotName,
  url: z.url().default('https://qyapi.weixin.qq.com/cgi-bin/webhook/send'),
  /** The `key` of the group robot's webhook URL. */
  key: secretReference,
});

/** The relay's config file (ALERT_RELAY_CONFIG, YAML or JSON); ALERT_RELAY_PORT and ALERT_RELAY_CONSOLE_URL override it. */
export const RelayConfigSchema = z.object({
  port: z.coerce.number().int().min(0).max(65535).default(8084),
  /** Base URL of the operations console: every message links into it (e.g. https://yecai.example.com). */
  consoleUrl: z.url(),
  /** Bearer tokens Alertmanager presents (its webhook `http_config.authorization`); none → every notification is refused. */
  receiverTokens: z.array(AdminTokenEntrySchema).default([]),
  robots: z.array(z.discriminatedUnion('kind', [DingTalkRobotSchema, WeComRobotSchema])).min(1, 'configure at least one robot'),
  /** Attempts per message on HTTP 5xx or a network error (robot error codes are not retried). */
  maxAttempts: z.number().int().min(1).max(10).default(4),
  /** Messages per minute per robot: both robots refuse more than 20 (DingTalk 130101, WeCom 45009). */
  perMinute: z.number().int().min(1).max(20).default(20),
});
export type RelayConfig = z.infer<typeof RelayConfigSchema>;
export type RelayConfigInput = z.input<typeof RelayConfigSchema>;

export function parseRelayConfig(input: unknown, env: NodeJS.ProcessEnv = {}, source = 'alert relay config'): RelayConfig {
  const overridden = typeof input === 'object' && input !== null ? { ...(input as Record<string, unknown>) } : input;
  if (typeof overridden === 'object' && overridden !== null) {
    const target = overridden as Record<string, unknown>;
    if (env.ALERT_RELAY_PORT) target.port = env.ALERT_RELAY_PORT;
    if (env.ALERT_RELAY_CONSOLE_URL) target.consoleUrl = env.ALERT_RELAY_CONSOLE_URL;
  }
  return parseWith(RelayConfigSchema, overridden, source);
}

/** ALERT_RELAY_CONFIG names the file; the env overrides apply on top. */
export function loadRelayConfig(env: NodeJS.ProcessEnv = process.env): RelayConfig {
  const path = env.ALERT_RELAY_CONFIG;
  if (!path) throw new Error('ALERT_RELAY_CONFIG: required — path of the alert relay config file (YAML or JSON)');
  return parseRelayConfig(readConfigFile(path, 'ALERT_RELAY_CONFIG'), env, path);
}

/** A robot with its secrets resolved (kept in memory only; never logged). */
export type ResolvedRobot =
  | { kind: 'dingtalk'; name: string; url: string; accessToken: string; secret: string }
  | { kind: 'wecom'; name: string; url: string; key: string };

export function resolveRobots(config: RelayConfig): ResolvedRobot[] {
  return config.robots.map((robot, index) =>
    robot.kind === 'dingtalk'
      ? { ...robot, accessToken: resolveSecret(robot.accessToken, `robots.${index}.accessToken`), secret: resolveSecret(robot.secret, `robots.${index}.secret`) }
      : { ...robot, key: resolveSecret(robot.key, `robots.${index}.key`) },
  );
}

export function resolveReceiverTokens(config: RelayConfig): AdminToken[] {
  return resolveAdminTokens(config.receiverTokens, 'receiverTokens');
}
