import { KafkaClient } from '@yecai/kafka';
import type { Db } from 'mongodb';
import { connectMongo } from '@yecai/store';
import { UsageError } from '../errors';
import { describeRun, readCurrentRun, type CurrentRun } from './current-run';
import { operatorStack } from './stack';

/**
 * Flags of the operator commands (replay, topics, status, parked, pending). main.ts merges them into its one strict
 * parseArgs call; every command then accepts only the flags it lists, so a flag meant for another command is an
 * error instead of being silently ignored.
 */
export const OPERATOR_OPTIONS = {
  brokers: { type: 'string' },
  'mongodb-uri': { type: 'string' },
  db: { type: 'string' },
  prefix: { type: 'string' },
  group: { type: 'string' },
  service: { type: 'string' },
  topic: { type: 'string' },
  'to-time': { type: 'string' },
  'to-offsets': { type: 'string' },
  'to-earliest': { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  all: { type: 'boolean' },
  stage: { type: 'string' },
  status: { type: 'string' },
  state: { type: 'string' },
  code: { type: 'string' },
  flow: { type: 'string' },
  form: { type: 'string' },
  limit: { type: 'string' },
} as const;

export type OperatorFlags = Record<string, string | boolean | undefined>;
export type Print = (line: string) => void;

const CONNECTION_FLAGS = ['brokers', 'prefix'] as const;

/** Rejects any flag the command does not take (exit 2, nothing touched). `help` and `lines` belong to main/stack. */
export function acceptOnly(command: string, flags: OperatorFlags, allowed: readonly string[]): void {
  for (const [name, value] of Object.entries(flags)) {
    if (value === undefined || name === 'help') continue;
    if (!allowed.includes(name)) {
      throw new UsageError(`${command} 不接受参数 does not take --${name} (可用 accepted: ${allowed.map((flag) => `--${flag}`).join(' ') || '无 none'})`);
    }
  }
}

export function kafkaFlags(...more: string[]): string[] {
  return [...CONNECTION_FLAGS, ...more];
}

export function stringFlag(flags: OperatorFlags, name: string): string | undefined {
  const value = flags[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '') throw new UsageError(`--${name}: 需要一个值 needs a value`);
  return value.trim();
}

export function positiveIntFlag(flags: OperatorFlags, name: string, fallback: number): number {
  const text = stringFlag(flags, name);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value <= 0) {
    throw new UsageError(`--${name}: "${text}" 不是正整数 is not a positive integer`);
  }
  return value;
}

/** Sets the topic prefix for this process (topics.ts reads YECAI_TOPIC_PREFIX on every call). */
export function applyPrefixFlag(flags: OperatorFlags): void {
  const prefix = stringFlag(flags, 'prefix');
  if (prefix === undefined) return;
  if (!/^[a-z0-9_.-]*$/.test(prefix)) throw new UsageError(`--prefix: "${prefix}" 只能含小写字母、数字和 _ . - (lowercase letters, digits, _ . - only)`);
  process.env.YECAI_TOPIC_PREFIX = prefix;
}

type EndpointName = 'kafkaBrokers' | 'mongodbUri' | 'schemaRegistryUrl';

/** Flag, then environment, then the local stack's state (what `yecai stack env` prints). */
function endpoint(flags: OperatorFlags, flag: string, env: string, name: EndpointName): string {
  const fromFlag = stringFlag(flags, flag);
  if (fromFlag) return fromFlag;
  const fromEnv = process.env[env]?.trim();
  if (fromEnv) return fromEnv;
  const fromStack = operatorStack().endpoints()?.[name];
  if (fromStack) return fromStack;
  throw new UsageError(`不知道连到哪里 no endpoint: 请用 --${flag} 或环境变量 ${env}，或先 \`yecai stack up\` (pass --${flag}, set ${env}, or start the local stack)`);
}

/** Schema registry: --registry-url, else SCHEMA_REGISTRY_URL, else the local stack's. */
export function registryEndpoint(flags: OperatorFlags): string {
  return endpoint(flags, 'registry-url', 'SCHEMA_REGISTRY_URL', 'schemaRegistryUrl');
}

/**
 * The last `yecai run`, when this command talks to the stack it ran on (same endpoint) and neither a flag nor the
 * variable names the database / prefix: each run has its own, and a person should not have to copy them.
 */
function currentRunFor(endpointValue: string, endpointOf: (run: CurrentRun) => string): CurrentRun | undefined {
  const run = readCurrentRun();
  return run && endpointOf(run) === endpointValue ? run : undefined;
}

/** Says which run a command reads, and how to name it explicitly. */
function announce(run: CurrentRun, print: Print): void {
  print(`读取最近一次运行 reading the last ${describeRun(run)}`);
}

/** A hint for a command that found nothing: the database and prefix the last run used, if it was another. */
export function lastRunHint(dbName: string): string {
  const run = readCurrentRun();
  return run && run.mongoDb !== dbName ? `；最近一次运行 the last ${describeRun(run)}` : '';
}

export async function withKafka<T>(
  flags: OperatorFlags,
  work: (kafka: KafkaClient) => Promise<T>,
  options: { print?: Print; useCurrentRun?: boolean } = {},
): Promise<T> {
  const brokerList = endpoint(flags, 'brokers', 'KAFKA_BROKERS', 'kafkaBrokers');
  if (options.useCurrentRun && stringFlag(flags, 'prefix') === undefined && !process.env.YECAI_TOPIC_PREFIX?.trim()) {
    const run = currentRunFor(brokerList, (candidate) => candidate.kafkaBrokers);
    if (run) {
      process.env.YECAI_TOPIC_PREFIX = run.topicPrefix;
      announce(run, options.print ?? console.log);
    }
  }
  const brokers = brokerList
    .split(',')
    .map((broker) => broker.trim())
    .filter(Boolean);
  const kafka = new KafkaClient({ brokers, clientId: 'yecai-cli', connectionTimeoutMs: 5_000, requestTimeoutMs: 15_000 });
  try {
    return await work(kafka);
  } finally {
    await kafka.disconnect();
  }
}

/** Database: --db, else MONGODB_DB, else the last `yecai run`'s when it ran on this MongoDB, else `yecai`. */
export async function withMongo<T>(flags: OperatorFlags, work: (db: Db) => Promise<T>, print: Print = console.log): Promise<T> {
  const uri = endpoint(flags, 'mongodb-uri', 'MONGODB_URI', 'mongodbUri');
  if (!/^mongodb(\+srv)?:\/\//.test(uri)) throw new UsageError('--mongodb-uri / MONGODB_URI: 必须以 mongodb:// 开头 must be a mongodb:// URI');
  let dbName = stringFlag(flags, 'db') ?? process.env.MONGODB_DB?.trim();
  if (!dbName) {
    const run = currentRunFor(uri, (candidate) => candidate.mongodbUri);
    if (run) announce(run, print);
    dbName = run?.mongoDb ?? 'yecai';
  }
  const mongo = await connectMongo(uri, { appName: 'yecai-cli', serverSelectionTimeoutMs: 5_000 });
  try {
    return await work(mongo.db(dbName));
  } finally {
    await mongo.close();
  }
}

/** Left-aligned text table; widths count CJK characters as two columns so Chinese headers line up. */
export function table(rows: string[][]): string[] {
  const width = (text: string) => [...text].reduce((sum, char) => sum + ((char.codePointAt(0) ?? 0) > 0x2e7f ? 2 : 1), 0);
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, index) => (widths[index] = Math.max(widths[index] ?? 0, width(cell))));
  return rows.map((row) =>
    row
      .map((cell, index) => (index === row.length - 1 ? cell : cell + ' '.repeat((widths[index] ?? 0) - width(cell))))
      .join('  ')
      .trimEnd(),
  );
}
