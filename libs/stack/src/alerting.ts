import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, createWriteStream, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sleep } from '@yecai/common';
import { installLog, run, timed, type InstallPaths, type InstallStep } from './install';
import { StackError, requireTool } from './prerequisites';

/**
 * Prometheus and Alertmanager, built from the Go module proxy like FerretDB (no release tarball download): the
 * alert test runs the shipped rules in a real Prometheus that notifies a real Alertmanager. Not part of `yecai
 * stack up` — only the harness of the alert test starts them.
 */
export const ALERTING_VERSIONS = {
  /** Prometheus 3.x's Go module is tagged v0.3xx.y (v0.316.0 = Prometheus 3.16.0). */
  prometheus: 'v0.316.0',
  alertmanager: 'v0.35.0',
} as const;

interface GoCommand {
  name: 'prometheus' | 'alertmanager';
  module: string;
  version: string;
  /** Adjusts the copied module source before the build. */
  prepare?: (sourceDir: string) => void;
  buildTags?: string[];
}

const COMMANDS: Record<GoCommand['name'], GoCommand> = {
  prometheus: {
    name: 'prometheus',
    module: 'github.com/prometheus/prometheus',
    version: ALERTING_VERSIONS.prometheus,
    // Static and file targets only: the cloud service discoveries (AWS, Azure, GCE, Kubernetes…) are most of the
    // build (tens of minutes on 2 cores) and yecai's local and test Prometheus scrape static targets.
    buildTags: ['remove_all_sd'],
  },
  alertmanager: {
    name: 'alertmanager',
    module: 'github.com/prometheus/alertmanager',
    version: ALERTING_VERSIONS.alertmanager,
    // ui/web.go embeds app/dist, which only Alertmanager's release tooling builds (npm + elm): the module zip has
    // none, so `go install …@v0.35.0` fails with "pattern app/dist: no matching files found". The API needs no UI.
    prepare: (sourceDir) => {
      for (const ui of ['elm', 'mantine']) {
        mkdirSync(join(sourceDir, 'ui/app/dist', ui), { recursive: true });
        writeFileSync(join(sourceDir, 'ui/app/dist', ui, 'index.html'), '<html><body>Alertmanager UI not built (yecai builds the API only)</body></html>\n');
      }
    },
  },
};

export function alertingBinary(paths: InstallPaths, name: GoCommand['name']): string {
  return join(paths.cacheDir, 'bin', `${name}-${COMMANDS[name].version}`);
}

/**
 * `go install <module>/cmd/<name>@<version>` into the cache; a module that needs `prepare` is first copied out of
 * the read-only module cache (`go mod download`) and built there.
 */
function installGoCommand(paths: InstallPaths, command: GoCommand): Promise<InstallStep> {
  const binary = alertingBinary(paths, command.name);
  return timed(`${command.name} ${command.version}`, () => existsSync(binary), async () => {
    const go = requireTool('go', `build ${command.name} ${command.version}`);
    const step = `${command.name} ${command.version} build (module proxy)`;
    const logFile = installLog(paths, command.name);
    const env = { CGO_ENABLED: '0', GOFLAGS: `-buildvcs=false${command.buildTags ? ` -tags=${command.buildTags.join(',')}` : ''}` };
    mkdirSync(join(paths.cacheDir, 'bin'), { recursive: true });
    if (!command.prepare) {
      const gobin = join(paths.cacheDir, 'src', `${command.name}-${command.version}-bin`);
      await run(go, ['install', `${command.module}/cmd/${command.name}@${command.version}`], { cwd: paths.cacheDir, env: { ...env, GOBIN: gobin }, step, logFile });
      renameSync(join(gobin, command.name), binary);
      rmSync(gobin, { recursive: true, force: true });
      return;
    }
    const download = spawnSync(go, ['mod', 'download', '-json', `${command.module}@${command.version}`], { cwd: paths.cacheDir, encoding: 'utf8' });
    const moduleDir = (JSON.parse(download.stdout || '{}') as { Dir?: string }).Dir;
    if (download.status !== 0 || !moduleDir) {
      throw new StackError(`${command.name} ${command.version}: go mod download failed — ${(download.stderr || download.stdout).trim().split('\n').at(-1)}`);
    }
    const sourceDir = join(paths.cacheDir, 'src', `${command.name}-${command.version}`);
    rmSync(sourceDir, { recursive: true, force: true });
    cpSync(moduleDir, sourceDir, { recursive: true });
    spawnSync('chmod', ['-R', 'u+w', sourceDir]);
    command.prepare(sourceDir);
    await run(go, ['build', '-o', binary, `./cmd/${command.name}`], { cwd: sourceDir, env, step, logFile });
    rmSync(sourceDir, { recursive: true, force: true });
  });
}

export function installPrometheus(paths: InstallPaths): Promise<InstallStep> {
  return installGoCommand(paths, COMMANDS.prometheus);
}

export function installAlertmanager(paths: InstallPaths): Promise<InstallStep> {
  return installGoCommand(paths, COMMANDS.alertmanager);
}

export interface AlertingProcess {
  url: string;
  port: number;
  /** Where its stdout/stderr go. */
  logFile: string;
  stop(): Promise<void>;
}

async function startAndWait(name: string, binary: string, args: string[], port: number, logFile: string): Promise<AlertingProcess> {
  const out = createWriteStream(logFile, { flags: 'a' });
  const child: ChildProcess = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.pipe(out);
  child.stderr?.pipe(out);
  let exited: number | null | undefined;
  child.once('exit', (code) => (exited = code));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (exited === undefined) {
      const done = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const hard = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await done;
      clearTimeout(hard);
    }
    out.end();
  };
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (exited !== undefined) throw new StackError(`${name} exited (code ${exited}) at start — see ${logFile}`);
    const ready = await fetch(`${url}/-/ready`).then((res) => res.ok, () => false);
    if (ready) return { url, port, logFile, stop };
    await sleep(250);
  }
  await stop();
  throw new StackError(`${name} not ready on ${url} within 60 s — see ${logFile}`);
}

/** A throwaway Prometheus (TSDB in `dataDir`) evaluating `configFile`, on 127.0.0.1:`port`. */
export function startPrometheus(paths: InstallPaths, options: { configFile: string; dataDir: string; port: number }): Promise<AlertingProcess> {
  mkdirSync(options.dataDir, { recursive: true });
  return startAndWait(
    'prometheus',
    alertingBinary(paths, 'prometheus'),
    [`--config.file=${options.configFile}`, `--storage.tsdb.path=${options.dataDir}`, `--web.listen-address=127.0.0.1:${options.port}`, '--log.level=warn'],
    options.port,
    join(options.dataDir, 'prometheus.log'),
  );
}

/** A throwaway single-node Alertmanager (no cluster gossip) on 127.0.0.1:`port`. */
export function startAlertmanager(paths: InstallPaths, options: { configFile: string; dataDir: string; port: number }): Promise<AlertingProcess> {
  mkdirSync(options.dataDir, { recursive: true });
  return startAndWait(
    'alertmanager',
    alertingBinary(paths, 'alertmanager'),
    [`--config.file=${options.configFile}`, `--storage.path=${options.dataDir}`, `--web.listen-address=127.0.0.1:${options.port}`, '--cluster.listen-address=', '--log.level=warn'],
    options.port,
    join(options.dataDir, 'alertmanager.log'),
  );
}
