import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..', '..');

// CI covers deploy/ through this test: scripts/validate-deploy.sh renders and schema-checks the Kubernetes overlays,
// runs promtool on the alert rules and their unit tests, and checks docker-compose.yml. It needs no Kafka; it lives
// in the integration project because the first run builds its tools (promtool, kustomize) from the Go module proxy.
describe('scripts/validate-deploy.sh', () => {
  it('passes on the committed deploy files', () => {
    const result = spawnSync('bash', [join(ROOT, 'scripts', 'validate-deploy.sh')], { cwd: ROOT, encoding: 'utf8', timeout: 40 * 60_000 });
    const output = `${result.stdout}\n${result.stderr}`;
    expect({ status: result.status, failures: output.split('\n').filter((line) => line.startsWith('FAIL')) }).toEqual({ status: 0, failures: [] });
    expect(output).toMatch(/validate-deploy: ([1-9]\d*) passed, 0 failed/);
  }, 45 * 60_000);
});
