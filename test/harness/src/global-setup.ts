import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectMongo } from '@yecai/store';
import { LocalStack, VERSIONS, cacheDir, pidAlive, repoRoot } from '@yecai/stack';
import { ENDPOINT_ENV, endpointsFromEnv, type TestEndpoints } from './endpoints';
import { IMAGES, containerRuntimeAnswers, startContainers } from './containers';

type HarnessMode = 'environment' | 'testcontainers' | 'local-stack';

interface HarnessHandle {
  mode: HarnessMode;
  stop: () => Promise<void>;
}

declare global {
  var __yecaiHarness: HarnessHandle | undefined;
}

function print(line: string): void {
  process.stdout.write(`[yecai harness] ${line}\n`);
}

/**
 * Gives the integration tests a real Kafka, schema registry and MongoDB-wire server, in this order:
 * 1. endpoints from the environment; 2. Testcontainers when a container runtime answers; 3. the local stack
 * (plain processes from the project's cache, on free ports, data in a temp dir, stopped at teardown).
 */
export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  let mode: HarnessMode;
  let endpoints: TestEndpoints;
  let stop: () => Promise<void> = async () => undefined;

  const fromEnv = endpointsFromEnv();
  if (fromEnv) {
    mode = 'environment';
    endpoints = fromEnv;
  } else if (process.env.YECAI_HARNESS_NO_CONTAINERS !== '1' && (await containerRuntimeAnswers())) {
    mode = 'testcontainers';
    const containers = await startContainers();
    endpoints = containers.endpoints;
    stop = containers.stop;
  } else {
    mode = 'local-stack';
    const root = repoRoot(__dirname);
    await reapAbandonedStacks(root);
    const stateDir = mkdtempSync(join(tmpdir(), TEST_STACK_PREFIX));
    // Who owns this stack: a later run stops it if this process dies without its teardown (kill -9, CI timeout).
    writeFileSync(join(stateDir, OWNER_FILE), String(process.pid));
    const stack = new LocalStack({
      root,
      cacheDir: cacheDir(root),
      stateDir,
      ephemeral: true,
      kafkaHeap: '512m',
      report: (line) => print(line),
    });
    try {
      endpoints = await stack.up();
    } catch (error) {
      await stack.down().catch(() => undefined);
      throw error;
    }
    stop = async () => {
      await stack.down();
    };
    // Tests that restart the broker (the fault suite) find the stack here; only in this mode do we own it.
    process.env.YECAI_TEST_STACK_DIR = stateDir;
  }

  process.env[ENDPOINT_ENV.kafkaBrokers] = endpoints.kafkaBrokers;
  process.env[ENDPOINT_ENV.schemaRegistryUrl] = endpoints.schemaRegistryUrl;
  process.env[ENDPOINT_ENV.mongodbUri] = endpoints.mongodbUri;
  globalThis.__yecaiHarness = { mode, stop };

  const versions = await describeVersions(endpoints, mode);
  print(`mode: ${mode} (ready in ${((Date.now() - started) / 1000).toFixed(1)}s)`);
  print(`kafka ${endpoints.kafkaBrokers} — ${versions.kafka}`);
  print(`schema registry ${endpoints.schemaRegistryUrl} — ${versions.registry}`);
  print(`mongodb ${endpoints.mongodbUri} — ${versions.mongo}`);
}

const TEST_STACK_PREFIX = 'yecai-test-stack-';
const OWNER_FILE = 'owner.pid';

/** Stops test stacks whose jest process is gone, so killed runs do not leave brokers running. */
async function reapAbandonedStacks(root: string): Promise<void> {
  for (const entry of readdirSync(tmpdir())) {
    if (!entry.startsWith(TEST_STACK_PREFIX)) continue;
    const stateDir = join(tmpdir(), entry);
    const ownerFile = join(stateDir, OWNER_FILE);
    if (!existsSync(ownerFile)) continue;
    const owner = Number(readFileSync(ownerFile, 'utf8'));
    if (Number.isInteger(owner) && pidAlive(owner)) continue;
    const stopped = await new LocalStack({ root, cacheDir: cacheDir(root), stateDir, ephemeral: true }).down().catch(() => []);
    rmSync(stateDir, { recursive: true, force: true });
    if (stopped.length) print(`stopped an abandoned test stack (${stopped.join(', ')}) left by process ${owner}`);
  }
}

async function describeVersions(endpoints: TestEndpoints, mode: HarnessMode): Promise<{ kafka: string; registry: string; mongo: string }> {
  const { KafkaClient } = await import('@yecai/kafka');
  const kafka = new KafkaClient({ brokers: [endpoints.kafkaBrokers], clientId: 'yecai-harness' });
  let kafkaVersion: string;
  try {
    const admin = await kafka.admin();
    const cluster = await admin.describeCluster();
    // kafkajs cannot ask a broker its release; the harness knows what it started.
    const version = mode === 'local-stack' ? ` ${VERSIONS.kafka}` : mode === 'testcontainers' ? ` (${IMAGES.kafka})` : '';
    kafkaVersion = `Apache Kafka${version} (KRaft), ${cluster.brokers.length} broker(s), cluster ${cluster.clusterId}`;
  } finally {
    await kafka.disconnect();
  }

  let registry = 'unknown';
  try {
    const info = await fetch(endpoints.schemaRegistryUrl.replace(/\/apis\/ccompat\/v\d+\/?$/, '/apis/registry/v3/system/info'));
    if (info.ok) {
      const body = (await info.json()) as { name?: string; version?: string };
      registry = `${body.name ?? 'Apicurio Registry'} ${body.version ?? ''}`.trim();
    }
  } catch {
    /* a non-Apicurio registry */
  }

  const mongo = await connectMongo(endpoints.mongodbUri, { appName: 'yecai-test-setup', serverSelectionTimeoutMs: 5_000 });
  let mongoVersion: string;
  try {
    const info = await mongo.db('admin').command({ buildInfo: 1 });
    if (info.ferretdbVersion !== undefined) {
      // Our embedded FerretDB build reports "unknown": the version is the one the stack pins.
      const ferret = info.ferretdbVersion === 'unknown' ? `${VERSIONS.ferretdb} (embedded build)` : info.ferretdbVersion;
      mongoVersion = `FerretDB ${ferret}, MongoDB ${info.version} wire protocol`;
    } else {
      mongoVersion = `MongoDB ${info.version}`;
    }
  } finally {
    await mongo.close();
  }
  return { kafka: kafkaVersion, registry, mongo: mongoVersion };
}
