import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getFreePort } from '@yecai/common';
import { repoRoot } from './paths';
import { pidAlive } from './stack';

const root = repoRoot(__dirname);
const cli = join(root, 'services/cli/src/main.ts');

/** Runs `yecai <args>` as an operator would, with its own stack directory. */
function yecai(args: string[], env: NodeJS.ProcessEnv) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    encoding: 'utf8',
    timeout: 240_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function statePids(stateDir: string): number[] {
  const state = JSON.parse(readFileSync(join(stateDir, 'state.json'), 'utf8')) as { components: Record<string, { pid: number }> };
  return Object.values(state.components).map((component) => component.pid);
}

describe('yecai stack (the operator command)', () => {
  let stateDir: string;
  beforeEach(() => {
    stateDir = mkdtempSync(join(tmpdir(), 'yecai-stack-test-'));
  });
  afterEach(() => {
    yecai(['stack', 'down'], { YECAI_STACK_DIR: stateDir });
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('is idempotent on a second up, and down leaves no process behind', async () => {
    const env = { YECAI_STACK_DIR: stateDir };
    const first = yecai(['stack', 'up'], env);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/stack ready/);
    const pids = statePids(stateDir);
    expect(pids).toHaveLength(3);
    expect(pids.every(pidAlive)).toBe(true);

    const second = yecai(['stack', 'up'], env);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/kafka: already running .* reused/);
    expect(second.stdout).toMatch(/registry: already running .* reused/);
    expect(second.stdout).toMatch(/mongo: already running .* reused/);
    expect(statePids(stateDir)).toEqual(pids);

    const status = yecai(['stack', 'status'], env);
    expect(status.stdout.match(/running/g)).toHaveLength(3);

    const down = yecai(['stack', 'down'], env);
    expect(down.code).toBe(0);
    expect(pids.filter(pidAlive)).toEqual([]);
    // Nothing else started from this stack directory survives either (child JVMs included).
    const leftovers = spawnSync('pgrep', ['-f', stateDir], { encoding: 'utf8' }).stdout.trim();
    expect(leftovers).toBe('');

    // reset deletes what the stack stored (a developer's stack fills up with test topics), keeping its logs.
    expect(existsSync(join(stateDir, 'kafka', 'data', 'meta.properties'))).toBe(true);
    expect(existsSync(join(stateDir, 'mongo'))).toBe(true);
    const reset = yecai(['stack', 'reset'], env);
    expect(reset.code).toBe(0);
    expect(reset.stdout).toMatch(/data is deleted/);
    expect(existsSync(join(stateDir, 'kafka', 'data'))).toBe(false);
    expect(existsSync(join(stateDir, 'mongo'))).toBe(false);
    expect(existsSync(join(stateDir, 'logs'))).toBe(true);
  });

  describe('with a port already taken', () => {
    let blocker: Server;
    let port: number;
    beforeEach(async () => {
      port = await getFreePort();
      blocker = createServer();
      await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    });
    afterEach(() => new Promise<void>((resolve) => blocker.close(() => resolve())));

    it('fails with one line naming the port and the component, and starts nothing', () => {
      const result = yecai(['stack', 'up'], { YECAI_STACK_DIR: stateDir, YECAI_KAFKA_PORT: String(port) });
      expect(result.code).toBe(1);
      const lines = result.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`port ${port} on 127.0.0.1 is taken (needed by kafka)`);
      expect(lines[0]).toContain('YECAI_KAFKA_PORT');
      expect(yecai(['stack', 'status'], { YECAI_STACK_DIR: stateDir }).stdout).not.toMatch(/running pid/);
    });
  });

  it('fails with one line naming Java when no Java is installed', () => {
    // Only node's own directory on PATH, no JAVA_HOME: as on a machine without a JDK.
    const nodeDir = join(process.execPath, '..');
    const result = yecai(['stack', 'up'], { YECAI_STACK_DIR: stateDir, PATH: nodeDir, JAVA_HOME: '', YECAI_JAVA21_HOME: '' });
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/Java 17\+ not found \(needed to run Kafka\)/);
  });
});
