/**
 * The sink-yonyou configs the deployments ship (Kubernetes base, dev overlay, docker compose) are valid and post every
 * canonical type YonSuite has a form map for; the dev ones reach the emulator with its published test credentials.
 */
import { join } from 'node:path';
import { EMULATOR_CREDENTIALS } from '@yecai/emulator-yonyou';
import { resolveYonyouConnection } from '@yecai/yonyou';
import { loadSinkConfigFile } from './config';
import { YONYOU_DOCUMENT_TYPES } from './form-maps';

const ROOT = join(__dirname, '../../..');
const SHIPPED = [
  'deploy/k8s/base/config/sink-yonyou.yaml',
  'deploy/k8s/overlays/dev/sink-yonyou.yaml',
  'deploy/compose/sink-yonyou.yaml',
];

describe.each(SHIPPED)('%s', (path) => {
  const config = loadSinkConfigFile(join(ROOT, path));

  // Supplier has a form map but no mapping rule emits it yet: sink-kingdee's shipped configs leave it out too.
  it('posts every canonical type YonSuite has a form map for and a mapping rule emits', () => {
    expect(config.flows.map((flow) => flow.documentType).sort()).toEqual(
      YONYOU_DOCUMENT_TYPES.filter((type) => type !== 'supplier').sort(),
    );
  });

  it('keeps the app secret out of the file and has an operator token', () => {
    expect(config.yonyou.appSecret).toBe('env:YONYOU_APP_SECRET');
    expect(config.admin.tokens.map((token) => token.token)).toEqual(['env:SINK_ADMIN_TOKEN']);
  });

  if (!path.includes('/base/')) {
    it('reaches the emulator with its test credentials, the gateway and token hosts pinned', () => {
      process.env.YONYOU_APP_SECRET = EMULATOR_CREDENTIALS.appSecret;
      const connection = resolveYonyouConnection(config.yonyou, path);
      expect([connection.tenantId, connection.appKey]).toEqual([
        EMULATOR_CREDENTIALS.tenantId,
        EMULATOR_CREDENTIALS.appKey,
      ]);
      expect(connection.gatewayUrl).toMatch(/:8092\/iuap-api-gateway$/);
      expect(connection.tokenUrl).toMatch(/:8092\/iuap-api-auth$/);
    });
  }
});
