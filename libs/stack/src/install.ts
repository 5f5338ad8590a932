import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StackError, requireTool } from './prerequisites';

export const VERSIONS = {
  kafka: '4.1.2',
  apicurio: '3.3.3',
  /** Fallback when no Java 21+ is found: the last Apicurio line that runs on Java 17. */
  apicurioJava17: '3.0.9',
  ferretdb: '1.24.2',
} as const;

export interface InstallPaths {
  /** Repository root: the Maven pom and the FerretDB Go module live under libs/stack/tools. */
  root: string;
  /** Git-ignored cache for downloads and builds (default <root>/.cache). */
  cacheDir: string;
}

export interface InstallStep {
  component: string;
  /** 'cached' when it was already there, else how long the install took. */
  seconds: number | 'cached';
}

/** Runs a command to completion; on failure the error is one line naming the step, with the log file beside it. */
export function run(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; step: string; logFile: string }) {
  return new Promise<void>((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk));
    child.on('error', (error) => reject(new StackError(`${options.step} failed: ${error.message}`)));
    child.on('close', (code) => {
      writeFileSync(options.logFile, Buffer.concat(output));
      if (code === 0) resolve();
      else reject(new StackError(`${options.step} failed (exit ${code}) — see ${options.logFile}`));
    });
  });
}

export async function timed(component: string, done: () => boolean, install: () => Promise<void>): Promise<InstallStep> {
  if (done()) return { component, seconds: 'cached' };
  const started = Date.now();
  await install();
  if (!done()) throw new StackError(`${component} install finished but left nothing usable behind`);
  return { component, seconds: (Date.now() - started) / 1000 };
}

export function kafkaLibDir(paths: InstallPaths): string {
  return join(paths.cacheDir, `kafka-${VERSIONS.kafka}`, 'libs');
}

export function apicurioDir(paths: InstallPaths, version: string): string {
  return join(paths.cacheDir, `apicurio-${version}`);
}

export function ferretdbBinary(paths: InstallPaths): string {
  return join(paths.cacheDir, 'bin', `yecai-ferretdb-${VERSIONS.ferretdb}`);
}

export function installLog(paths: InstallPaths, name: string): string {
  const dir = join(paths.cacheDir, 'install-logs');
  mkdirSync(dir, { recursive: true });
  return join(dir, `${name}.log`);
}

/** Kafka broker jars and their runtime dependencies from Maven Central. */
export function installKafka(paths: InstallPaths): Promise<InstallStep> {
  return installMavenTree(paths, 'kafka', 'libs/stack/tools/kafka', kafkaLibDir(paths), 'fetch Kafka from Maven Central');
}

/** `mvn dependency:copy-dependencies` of one of our tool poms into `libs`, once (marker file). */
function installMavenTree(paths: InstallPaths, component: string, pomDir: string, libs: string, purpose: string): Promise<InstallStep> {
  const marker = join(libs, '.complete');
  return timed(component, () => existsSync(marker), async () => {
    const mvn = requireTool('mvn', purpose);
    rmSync(libs, { recursive: true, force: true });
    await run(
      mvn,
      ['-B', '-q', 'dependency:copy-dependencies', '-DincludeScope=runtime', `-Dkafka.version=${VERSIONS.kafka}`, `-DoutputDirectory=${libs}`],
      { cwd: join(paths.root, pomDir), step: `${component} ${VERSIONS.kafka} download from Maven Central`, logFile: installLog(paths, component) },
    );
    writeFileSync(marker, VERSIONS.kafka);
  });
}

/** Apicurio Registry's Quarkus app tarball from Maven Central, unpacked. */
export function installApicurio(paths: InstallPaths, version: string): Promise<InstallStep> {
  const dir = apicurioDir(paths, version);
  const marker = join(dir, '.complete');
  return timed(`schema-registry (apicurio ${version})`, () => existsSync(marker), async () => {
    const mvn = requireTool('mvn', 'fetch the Apicurio schema registry from Maven Central');
    const download = join(paths.cacheDir, 'downloads');
    mkdirSync(download, { recursive: true });
    await run(
      mvn,
      ['-B', '-q', 'dependency:copy', `-Dartifact=io.apicurio:apicurio-registry-app:${version}:tar.gz:all`, `-DoutputDirectory=${download}`],
      { cwd: download, step: `Apicurio ${version} download from Maven Central`, logFile: installLog(paths, 'apicurio') },
    );
    const tarball = readdirSync(download).find((name) => name.startsWith(`apicurio-registry-app-${version}`));
    if (!tarball) throw new StackError(`Apicurio ${version} download produced no tarball in ${download}`);
    const staging = `${dir}.staging`;
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true });
    await run('tar', ['xzf', join(download, tarball), '-C', staging], {
      cwd: download,
      step: 'Apicurio unpack',
      logFile: installLog(paths, 'apicurio-unpack'),
    });
    rmSync(join(download, tarball), { force: true });
    rmSync(dir, { recursive: true, force: true });
    renameSync(staging, dir);
    writeFileSync(marker, version);
  });
}

/** FerretDB (SQLite backend) compiled from the Go module proxy through our small embedding module. */
export function installFerretdb(paths: InstallPaths): Promise<InstallStep> {
  const binary = ferretdbBinary(paths);
  return timed('mongodb-wire (ferretdb)', () => existsSync(binary), async () => {
    const go = requireTool('go', `build FerretDB ${VERSIONS.ferretdb}`);
    mkdirSync(join(paths.cacheDir, 'bin'), { recursive: true });
    await run(go, ['build', '-o', binary, '.'], {
      cwd: join(paths.root, 'libs/stack/tools/ferretdb'),
      env: { CGO_ENABLED: '0' },
      step: `FerretDB ${VERSIONS.ferretdb} build (go build, module proxy)`,
      logFile: installLog(paths, 'ferretdb'),
    });
  });
}

export function kafkaToolsLibDir(paths: InstallPaths): string {
  return join(paths.cacheDir, `kafka-tools-${VERSIONS.kafka}`, 'libs');
}

/** Kafka's own perf tools (ProducerPerformance, ConsumerPerformance): heavy, so fetched only for benchmarks. */
export function installKafkaTools(paths: InstallPaths): Promise<InstallStep> {
  return installMavenTree(paths, 'kafka-tools', 'libs/stack/tools/kafka-tools', kafkaToolsLibDir(paths), 'fetch Kafka perf tools from Maven Central');
}
