import { spawn } from 'node:child_process';
import { join } from 'node:path';

const MAIN = join(__dirname, '..', 'src', 'main.ts');
const TSX = join(__dirname, '..', '..', '..', '..', 'node_modules', '.bin', 'tsx');

function run(args: string[], untilUrl: boolean): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, [MAIN, ...args], { env: { ...process.env, LOG_LEVEL: 'silent' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (untilUrl && stdout.includes('\n')) child.kill('SIGTERM');
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('emulator CLI', () => {
  it('prints the site URL and serves the WebAPI', async () => {
    const { stdout } = await run(['--port', '0', '--latency-ms', '1-3'], true);
    expect(stdout.trim()).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/k3cloud\/$/);
  }, 30_000);

  it('rejects a bad flag value with a message naming the flag', async () => {
    const { code, stderr } = await run(['--http5xx-rate', 'lots'], false);
    expect(code).toBe(2);
    expect(stderr).toContain('--http5xx-rate');
  }, 30_000);

  it('fails clearly on a missing seed file', async () => {
    const { code, stderr } = await run(['--seed', '/nonexistent/fixture.json'], false);
    expect(code).toBe(1);
    expect(stderr).toContain('/nonexistent/fixture.json');
  }, 30_000);
});
