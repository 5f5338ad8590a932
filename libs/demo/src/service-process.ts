import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';

export interface ServiceProcessOptions {
  /** Name for logs and messages, e.g. `mapping`. */
  name: string;
  /** The service's TypeScript entry point (run with `node --import tsx`). */
  main: string;
  args?: string[];
  env?: NodeJS.ProcessEnv;
  /** Where stdout and stderr go (appended across restarts). */
  logFile: string;
  /** Port of its `/readyz`, when it has one. */
  opsPort?: number;
  /** Start it again whenever it exits unasked (a pod's `restartPolicy: Always`), after `restartDelayMs`. */
  supervise?: boolean;
  restartDelayMs?: number;
}

/**
 * A yecai service run as a real child process — what the main job, the end-to-end tests and the fault suite
 * start, SIGKILL and restart. One helper for all of them.
 */
export class ServiceProcess {
  private child: ChildProcess | undefined;
  private log: WriteStream | undefined;
  private exited: Promise<number | null> = Promise.resolve(null);
  private stopping = false;
  private restartTimer: NodeJS.Timeout | undefined;
  /** How many times the process was started (restarts included). */
  starts = 0;

  constructor(readonly options: ServiceProcessOptions) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  start(): void {
    if (this.running) throw new Error(`${this.options.name} is already running (pid ${this.pid})`);
    mkdirSync(dirname(this.options.logFile), { recursive: true });
    this.log ??= createWriteStream(this.options.logFile, { flags: 'a' });
    this.log.write(`\n===== start #${this.starts + 1} ${new Date().toISOString()} =====\n`);
    const child = spawn(process.execPath, ['--import', 'tsx', this.options.main, ...(this.options.args ?? [])], {
      env: { ...process.env, ...this.options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.pipe(this.log, { end: false });
    child.stderr?.pipe(this.log, { end: false });
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    this.child = child;
    this.starts += 1;
    this.stopping = false;
    if (this.options.supervise) {
      void this.exited.then(() => {
        if (this.stopping || this.child !== child) return;
        this.restartTimer = setTimeout(() => {
          if (!this.stopping && !this.running) this.start();
        }, this.options.restartDelayMs ?? 1_000);
      });
    }
  }

  /** Sends `signal` and waits for the process to be gone. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 15_000): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    if (!this.running || !this.child) return;
    this.child.kill(signal);
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** kill -9: no shutdown hook runs, exactly like a crashed pod (a supervised one is started again). */
  async kill(): Promise<void> {
    if (!this.running || !this.child) return;
    const exited = this.exited;
    this.child.kill('SIGKILL');
    await exited;
  }

  async restart(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    await this.stop(signal);
    this.start();
  }

  /** Resolves when `/readyz` answers 200; fails early if the process exits. */
  async waitReady(timeoutMs = 60_000): Promise<void> {
    const port = this.options.opsPort;
    if (port === undefined) return;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.running && !this.options.supervise) {
        throw new Error(`${this.options.name} exited before it was ready — see ${this.options.logFile}`);
      }
      try {
        const response = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(2_000) });
        if (response.ok) return;
      } catch {
        /* not listening yet */
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(`${this.options.name} not ready after ${timeoutMs} ms — see ${this.options.logFile}`);
  }

  /** The service's Prometheus metrics text. */
  async metrics(): Promise<string> {
    if (this.options.opsPort === undefined) throw new Error(`${this.options.name} has no ops port`);
    const response = await fetch(`http://127.0.0.1:${this.options.opsPort}/metrics`, { signal: AbortSignal.timeout(5_000) });
    return response.text();
  }

  async dispose(): Promise<void> {
    await this.stop();
    this.log?.end();
    this.log = undefined;
  }
}

/** Sums a Prometheus counter/gauge from exposition text, optionally only samples whose labels match. */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(\{([^}]*)\})?\s+(\S+)/.exec(line);
    if (!match || match[1] !== name) continue;
    const sampleLabels = Object.fromEntries(
      [...(match[3] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1]!, m[2]!]),
    );
    if (Object.entries(labels).every(([key, value]) => sampleLabels[key] === value)) total += Number(match[4]);
  }
  return total;
}
