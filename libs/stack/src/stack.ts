import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connectMongo } from '@yecai/store';
import { KafkaClient } from '@yecai/kafka';
import { createLogger, getFreePort, isPortTaken, sleep } from '@yecai/common';
import {
  VERSIONS,
  apicurioDir,
  ferretdbBinary,
  installApicurio,
  installFerretdb,
  installKafka,
  kafkaLibDir,
  type InstallPaths,
  type InstallStep,
} from './install';
import { StackError, findJava21, requireJava, type JavaRuntime } from './prerequisites';

export type ComponentName = 'kafka' | 'registry' | 'mongo';
export const COMPONENTS: ComponentName[] = ['kafka', 'registry', 'mongo'];

export interface StackPorts {
  kafka: number;
  kafkaController: number;
  registry: number;
  registryManagement: number;
  mongo: number;
}

export interface StackOptions extends InstallPaths {
  /** Where this stack keeps its data, logs and state file. */
  stateDir: string;
  /** Fixed ports; 0 (or absent) takes a free one. */
  ports?: Partial<StackPorts>;
  /** Throwaway stack (test runs): MongoDB in SQLite memory mode, state directory deleted at `down`. */
  ephemeral?: boolean;
  /** Progress lines for a person (the CLI prints them; the harness logs them). */
  report?: (line: string) => void;
  kafkaHeap?: string;
}

export interface StackEndpoints {
  kafkaBrokers: string;
  schemaRegistryUrl: string;
  mongodbUri: string;
}

interface ComponentState {
  pid: number;
  ports: number[];
  startedAt: string;
  version: string;
  logFile: string;
}

interface StackState {
  ports: StackPorts;
  endpoints: StackEndpoints;
  components: Partial<Record<ComponentName, ComponentState>>;
}

export interface ComponentStatus {
  component: ComponentName;
  running: boolean;
  pid?: number;
  version?: string;
  endpoint?: string;
  logFile?: string;
}

const PORT_ENV: Record<keyof StackPorts, string> = {
  kafka: 'YECAI_KAFKA_PORT',
  kafkaController: 'YECAI_KAFKA_CONTROLLER_PORT',
  registry: 'YECAI_REGISTRY_PORT',
  registryManagement: 'YECAI_REGISTRY_MANAGEMENT_PORT',
  mongo: 'YECAI_MONGO_PORT',
};

const READY_TIMEOUT_MS = 120_000;

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * The local Kafka + schema registry + MongoDB-wire stack, run as plain processes on 127.0.0.1 (no Docker needed).
 * Idempotent: `up` reuses whatever of it already runs; `down` stops everything it started.
 */
export class LocalStack {
  private readonly report: (line: string) => void;

  constructor(private readonly options: StackOptions) {
    this.report = options.report ?? (() => undefined);
  }

  private get statePath(): string {
    return join(this.options.stateDir, 'state.json');
  }

  private readState(): StackState | undefined {
    if (!existsSync(this.statePath)) return undefined;
    return JSON.parse(readFileSync(this.statePath, 'utf8')) as StackState;
  }

  private writeState(state: StackState): void {
    mkdirSync(this.options.stateDir, { recursive: true });
    writeFileSync(this.statePath, JSON.stringify(state, null, 2));
    const env = [
      `KAFKA_BROKERS=${state.endpoints.kafkaBrokers}`,
      `SCHEMA_REGISTRY_URL=${state.endpoints.schemaRegistryUrl}`,
      `MONGODB_URI=${state.endpoints.mongodbUri}`,
    ];
    writeFileSync(join(this.options.stateDir, 'endpoints.env'), env.join('\n') + '\n');
  }

  /** Downloads and builds what is missing; returns how long each step took. */
  async install(): Promise<InstallStep[]> {
    requireJava();
    const steps: InstallStep[] = [];
    steps.push(await installKafka(this.options));
    steps.push(await installApicurio(this.options, this.registryRuntime().version));
    steps.push(await installFerretdb(this.options));
    return steps;
  }

  private registryRuntime(): { java: JavaRuntime; version: string } {
    const java21 = findJava21();
    if (java21) return { java: java21, version: VERSIONS.apicurio };
    return { java: requireJava(), version: VERSIONS.apicurioJava17 };
  }

  private async resolvePorts(previous: StackPorts | undefined): Promise<StackPorts> {
    const ports = {} as StackPorts;
    for (const key of Object.keys(PORT_ENV) as (keyof StackPorts)[]) {
      const fromEnv = process.env[PORT_ENV[key]];
      const configured = this.options.ports?.[key] ?? (fromEnv ? Number(fromEnv) : undefined);
      if (configured !== undefined && (!Number.isInteger(configured) || configured < 0 || configured > 65535)) {
        throw new StackError(`${PORT_ENV[key]}: "${fromEnv}" is not a TCP port number`);
      }
      ports[key] = configured || previous?.[key] || (await getFreePort());
    }
    return ports;
  }

  /** Starts whatever is not running yet and waits until all three answer. */
  async up(): Promise<StackEndpoints> {
    const java = requireJava();
    const previous = this.readState();
    const running = (name: ComponentName) => {
      const component = previous?.components[name];
      return component !== undefined && pidAlive(component.pid);
    };
    const ports = await this.resolvePorts(previous?.ports);
    const endpoints: StackEndpoints = {
      kafkaBrokers: `127.0.0.1:${ports.kafka}`,
      schemaRegistryUrl: `http://127.0.0.1:${ports.registry}/apis/ccompat/v7`,
      mongodbUri: `mongodb://127.0.0.1:${ports.mongo}/`,
    };
    const state: StackState = { ports, endpoints, components: { ...previous?.components } };

    // Check every port we are about to bind before starting anything, so a clash changes nothing.
    const toStart = COMPONENTS.filter((name) => !running(name));
    const portsOf: Record<ComponentName, (keyof StackPorts)[]> = {
      kafka: ['kafka', 'kafkaController'],
      registry: ['registry', 'registryManagement'],
      mongo: ['mongo'],
    };
    for (const name of toStart) {
      for (const key of portsOf[name]) {
        if (await isPortTaken(ports[key])) {
          throw new StackError(
            `port ${ports[key]} on 127.0.0.1 is taken (needed by ${name}) — free it or set ${PORT_ENV[key]} to another port`,
          );
        }
      }
    }

    await this.install();
    for (const name of COMPONENTS) {
      if (!toStart.includes(name)) {
        this.report(`${name}: already running (pid ${state.components[name]?.pid}), reused`);
        continue;
      }
      const started = Date.now();
      if (name === 'kafka') state.components.kafka = this.startKafka(java, ports);
      if (name === 'registry') state.components.registry = this.startRegistry(ports);
      if (name === 'mongo') state.components.mongo = this.startMongo(ports);
      this.writeState(state);
      this.report(`${name}: started (pid ${state.components[name]?.pid}) in ${((Date.now() - started) / 1000).toFixed(1)}s`);
    }
    this.writeState(state);
    await this.waitReady(state);
    return endpoints;
  }

  private spawnDetached(name: ComponentName, command: string, args: string[], cwd: string, ports: number[], version: string): ComponentState {
    const logDir = join(this.options.stateDir, 'logs');
    mkdirSync(logDir, { recursive: true });
    mkdirSync(cwd, { recursive: true });
    const logFile = join(logDir, `${name}.log`);
    const out = openSync(logFile, 'a');
    // detached: its own process group, so it outlives the CLI and `down` can stop the whole group.
    const child = spawn(command, args, { cwd, detached: true, stdio: ['ignore', out, out] });
    child.unref();
    if (child.pid === undefined) throw new StackError(`${name} could not be started (${command})`);
    return { pid: child.pid, ports, startedAt: new Date().toISOString(), version, logFile };
  }

  private startKafka(java: JavaRuntime, ports: StackPorts): ComponentState {
    const dir = join(this.options.stateDir, 'kafka');
    const dataDir = join(dir, 'data');
    const logsDir = join(this.options.stateDir, 'logs', 'kafka');
    mkdirSync(logsDir, { recursive: true });
    const properties = [
      'process.roles=broker,controller',
      'node.id=1',
      `controller.quorum.voters=1@127.0.0.1:${ports.kafkaController}`,
      `listeners=PLAINTEXT://127.0.0.1:${ports.kafka},CONTROLLER://127.0.0.1:${ports.kafkaController}`,
      `advertised.listeners=PLAINTEXT://127.0.0.1:${ports.kafka}`,
      'controller.listener.names=CONTROLLER',
      'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
      `log.dirs=${dataDir}`,
      'offsets.topic.replication.factor=1',
      'offsets.topic.num.partitions=1',
      'transaction.state.log.replication.factor=1',
      'transaction.state.log.min.isr=1',
      'transaction.state.log.num.partitions=1',
      'group.initial.rebalance.delay.ms=0',
      'auto.create.topics.enable=false',
      // Sized for a 2-core machine.
      'num.network.threads=2',
      'num.io.threads=2',
      'num.recovery.threads.per.data.dir=1',
      'log.cleaner.threads=1',
      'background.threads=2',
    ];
    mkdirSync(dir, { recursive: true });
    const propertiesFile = join(dir, 'server.properties');
    writeFileSync(propertiesFile, properties.join('\n') + '\n');
    const log4j = join(dir, 'log4j2.xml');
    writeFileSync(
      log4j,
      `<?xml version="1.0" encoding="UTF-8"?>
<Configuration status="WARN">
  <Appenders>
    <RollingFile name="FILE" fileName="\${sys:kafka.logs.dir}/server.log" filePattern="\${sys:kafka.logs.dir}/server.log.%i">
      <PatternLayout pattern="[%d] %p %m (%c)%n"/>
      <SizeBasedTriggeringPolicy size="20MB"/>
      <DefaultRolloverStrategy max="3"/>
    </RollingFile>
  </Appenders>
  <Loggers>
    <Logger name="state.change.logger" level="WARN"/>
    <Root level="INFO"><AppenderRef ref="FILE"/></Root>
  </Loggers>
</Configuration>
`,
    );
    const classpath = `${kafkaLibDir(this.options)}/*`;
    const jvm = [`-Xms128m`, `-Xmx${this.options.kafkaHeap ?? '768m'}`, `-Dlog4j2.configurationFile=${log4j}`, `-Dkafka.logs.dir=${logsDir}`];
    if (!existsSync(join(dataDir, 'meta.properties'))) {
      const clusterId = newClusterId();
      const format = spawnSyncChecked(java.bin, [...jvm, '-cp', classpath, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', propertiesFile, '-g']);
      if (format) throw new StackError(`Kafka storage format failed: ${format}`);
    }
    return this.spawnDetached(
      'kafka',
      java.bin,
      [...jvm, '-cp', classpath, 'kafka.Kafka', propertiesFile],
      dir,
      [ports.kafka, ports.kafkaController],
      VERSIONS.kafka,
    );
  }

  private startRegistry(ports: StackPorts): ComponentState {
    const { java, version } = this.registryRuntime();
    const home = apicurioDir(this.options, version);
    const props = [
      `-Dquarkus.http.host=127.0.0.1`,
      `-Dquarkus.http.port=${ports.registry}`,
      `-Dquarkus.management.host=127.0.0.1`,
      `-Dquarkus.management.port=${ports.registryManagement}`,
      // Without a global rule Apicurio answers "NONE" where Confluent answers 404, which breaks register().
      `-Dapicurio.rules.global.compatibility=BACKWARD`,
      `-Dapicurio.ccompat.use-canonical-hash=true`,
      `-Dquarkus.log.category."io.quarkus.vertx.http.runtime.filters.accesslog".level=WARN`,
      `-Dquarkus.http.access-log.enabled=false`,
      `-Dapicurio.logging.audit.enabled=false`,
    ];
    return this.spawnDetached(
      'registry',
      java.bin,
      ['-Xms64m', '-Xmx384m', ...props, '-jar', registryJar(home)],
      join(this.options.stateDir, 'registry'),
      [ports.registry, ports.registryManagement],
      `apicurio ${version}`,
    );
  }

  private startMongo(ports: StackPorts): ComponentState {
    const dataDir = join(this.options.stateDir, 'mongo');
    mkdirSync(dataDir, { recursive: true });
    // Throwaway stacks use SQLite memory mode. Both FerretDB 1.24 modes have a trap (docs/infrastructure.md): in
    // memory mode an updateOne/replaceOne of an existing document hangs (our ledgers and parking are insert-only);
    // file-backed, dropping a database while a cursor reads it crashes the server with SIGBUS in the WAL, which the
    // tests' per-test databases (dropped at the end) trigger under load.
    const sqliteUrl = `file:${dataDir}/${this.options.ephemeral ? '?mode=memory' : ''}`;
    return this.spawnDetached(
      'mongo',
      ferretdbBinary(this.options),
      ['--listen-addr', `127.0.0.1:${ports.mongo}`, '--sqlite-url', sqliteUrl, '--log-level', 'warn'],
      dataDir,
      [ports.mongo],
      `ferretdb ${VERSIONS.ferretdb}`,
    );
  }

  private async waitReady(state: StackState): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    const check = async (name: ComponentName, probe: () => Promise<void>) => {
      let lastError: unknown;
      while (Date.now() < deadline) {
        const component = state.components[name];
        if (component && !pidAlive(component.pid)) {
          throw new StackError(`${name} exited during start-up — see ${component.logFile}`);
        }
        try {
          await probe();
          return;
        } catch (error) {
          lastError = error;
          await sleep(500);
        }
      }
      throw new StackError(`${name} not ready after ${READY_TIMEOUT_MS / 1000}s (${String(lastError)}) — see ${state.components[name]?.logFile}`);
    };
    const started = Date.now();
    await Promise.all([
      check('kafka', () => probeKafka(state.endpoints.kafkaBrokers)),
      check('registry', () => probeRegistry(state.ports)),
      check('mongo', () => probeMongo(state.endpoints.mongodbUri)),
    ]);
    this.report(`stack ready in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  }

  /**
   * Stops one component and starts it again on the same ports and data (the fault suite's broker restart).
   * `signal` SIGKILL simulates a crash; SIGTERM a clean restart.
   */
  async restartComponent(name: ComponentName, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const state = this.readState();
    const component = state?.components[name];
    if (!state || !component) throw new StackError(`${name} is not part of a running stack in ${this.options.stateDir}`);
    if (pidAlive(component.pid)) {
      if (signal === 'SIGKILL') {
        try {
          process.kill(-component.pid, 'SIGKILL');
        } catch {
          process.kill(component.pid, 'SIGKILL');
        }
        while (pidAlive(component.pid)) await sleep(100);
      } else {
        await stopProcessGroup(component.pid);
      }
    }
    if (name === 'kafka') state.components.kafka = this.startKafka(requireJava(), state.ports);
    if (name === 'registry') state.components.registry = this.startRegistry(state.ports);
    if (name === 'mongo') state.components.mongo = this.startMongo(state.ports);
    this.writeState(state);
    await this.waitReady(state);
    this.report(`${name}: restarted (pid ${state.components[name]?.pid})`);
  }

  /** Stops every process this stack started (SIGTERM, then SIGKILL after a grace period). */
  async down(): Promise<ComponentName[]> {
    const state = this.readState();
    if (!state) return [];
    const stopped: ComponentName[] = [];
    for (const name of [...COMPONENTS].reverse()) {
      const component = state.components[name];
      if (!component) continue;
      if (pidAlive(component.pid)) {
        await stopProcessGroup(component.pid);
        stopped.push(name);
        this.report(`${name}: stopped (pid ${component.pid})`);
      }
      delete state.components[name];
    }
    this.writeState(state);
    if (this.options.ephemeral) rmSync(this.options.stateDir, { recursive: true, force: true });
    return stopped;
  }

  /**
   * Stops the stack and deletes what it stored (Kafka's log directory, the registry's and MongoDB's data); logs stay.
   * Every test run leaves its prefixed topics behind: after some tens of thousands of partitions the broker runs out
   * of file descriptors and stops, so a developer's stack needs a way back to empty.
   */
  async reset(): Promise<ComponentName[]> {
    const stopped = await this.down();
    for (const dir of [join('kafka', 'data'), 'registry', 'mongo']) {
      rmSync(join(this.options.stateDir, dir), { recursive: true, force: true });
    }
    this.report(`data deleted under ${this.options.stateDir} (kafka/data, registry, mongo)`);
    return stopped;
  }

  status(): ComponentStatus[] {
    const state = this.readState();
    return COMPONENTS.map((name) => {
      const component = state?.components[name];
      if (!component || !state) return { component: name, running: false };
      const endpoint =
        name === 'kafka' ? state.endpoints.kafkaBrokers : name === 'registry' ? state.endpoints.schemaRegistryUrl : state.endpoints.mongodbUri;
      return {
        component: name,
        running: pidAlive(component.pid),
        pid: component.pid,
        version: component.version,
        endpoint,
        logFile: component.logFile,
      };
    });
  }

  endpoints(): StackEndpoints | undefined {
    return this.readState()?.endpoints;
  }

  logFile(name: ComponentName): string | undefined {
    if (name === 'kafka') return join(this.options.stateDir, 'logs', 'kafka', 'server.log');
    return this.readState()?.components[name]?.logFile ?? join(this.options.stateDir, 'logs', `${name}.log`);
  }
}

/**
 * A Kafka cluster id: 16 random bytes, base64url without padding. One starting with "-" would be read as a flag by
 * kafka-storage's argument parser, so draw again.
 */
export function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/** Apicurio 3.1+ ships a Quarkus fast-jar (quarkus-run.jar); 3.0.x a legacy `*-runner.jar` beside lib/. */
function registryJar(home: string): string {
  const fastJar = join(home, 'quarkus-run.jar');
  if (existsSync(fastJar)) return fastJar;
  const runner = readdirSync(home).find((name) => name.endsWith('-runner.jar'));
  if (!runner) throw new StackError(`no runnable jar in ${home} — delete it and run \`yecai stack install\` again`);
  return join(home, runner);
}

/** Runs a short command; returns its last error line on failure, undefined on success. */
function spawnSyncChecked(command: string, args: string[]): string | undefined {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.status === 0) return undefined;
  return (result.stderr || result.stdout || `exit ${result.status}`).trim().split('\n').slice(-1)[0];
}

async function stopProcessGroup(pid: number): Promise<void> {
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pid, sig);
    } catch {
      try {
        process.kill(pid, sig);
      } catch {
        /* already gone */
      }
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + 20_000;
  while (pidAlive(pid) && Date.now() < deadline) await sleep(200);
  if (pidAlive(pid)) {
    signal('SIGKILL');
    while (pidAlive(pid)) await sleep(100);
  }
}

export async function probeKafka(brokers: string): Promise<void> {
  const logger = createLogger('stack-probe');
  logger.level = 'silent'; // connection refusals are expected while the broker starts
  const client = new KafkaClient({ brokers: [brokers], clientId: 'yecai-stack-probe', connectionTimeoutMs: 2_000, requestTimeoutMs: 5_000, logger });
  try {
    const admin = await client.admin();
    const cluster = await admin.describeCluster();
    if (cluster.brokers.length === 0) throw new Error('no broker in metadata');
  } finally {
    await client.disconnect();
  }
}

/** Apicurio 3.1+ serves health on the management port; 3.0.x (the Java 17 fallback) on the main port. */
export async function probeRegistry(ports: Pick<StackPorts, 'registry' | 'registryManagement'>): Promise<void> {
  let lastError: unknown;
  for (const port of [ports.registryManagement, ports.registry]) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/health/ready`, { signal: AbortSignal.timeout(3_000) });
      if (response.ok) return;
      lastError = new Error(`registry health ${response.status} on port ${port}`);
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

export async function probeMongo(uri: string): Promise<void> {
  const mongo = await connectMongo(uri, { appName: 'yecai-stack-probe', serverSelectionTimeoutMs: 2_000, connectTimeoutMs: 2_000 });
  try {
    await mongo.db('admin').command({ ping: 1 });
  } finally {
    await mongo.close();
  }
}
