/** The emulator's gateway and token endpoint driven raw (no yecai client): order of checks and documented answers. */
import { createHmac } from 'node:crypto';
import { EMULATOR_CREDENTIALS, expectedSignature, startYonyouEmulator, type YonyouEmulator } from '../src';

describe('YonSuite emulator gateway', () => {
  let emulator: YonyouEmulator;
  beforeEach(async () => (emulator = await startYonyouEmulator()));
  afterEach(() => emulator.close());
  const get = async (path: string) => {
    const response = await fetch(`${emulator.url}${path}`);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it('verifies the signature with the spec vector and refuses second timestamps and unknown apps', async () => {
    expect(expectedSignature({ appKey: 'test', timestamp: '1789123783390' }, 'test')).toBe(
      'y5DMe+UkjSqbPVWsMvGUjfeX6gfCbXnvP0tAU1ZI0jw=',
    );
    const { appKey, appSecret } = EMULATOR_CREDENTIALS;
    const sign = (timestamp: string) =>
      encodeURIComponent(
        createHmac('sha256', appSecret).update(`appKey${appKey}timestamp${timestamp}`).digest('base64'),
      );
    const now = String(Date.now());
    const ok = await get(
      `/iuap-api-auth/open-auth/selfAppAuth/getAccessToken?appKey=${appKey}&timestamp=${now}&signature=${sign(now)}`,
    );
    expect(ok.body).toMatchObject({ code: '00000', data: { expire: 7200 } });
    const seconds = String(Math.floor(Date.now() / 1000));
    expect(
      (
        await get(
          `/iuap-api-auth/open-auth/selfAppAuth/base/v1/getAccessToken?appKey=${appKey}&timestamp=${seconds}&signature=${sign(seconds)}`,
        )
      ).body.code,
    ).toBe('10020');
    expect(
      (
        await get(
          `/iuap-api-auth/open-auth/selfAppAuth/base/v1/getAccessToken?appKey=${appKey}&timestamp=${now}&signature=${sign(now)}x`,
        )
      ).body.code,
    ).toBe('10021');
    expect(
      (
        await get(
          `/iuap-api-auth/open-auth/selfAppAuth/base/v1/getAccessToken?appKey=nobody&timestamp=${now}&signature=${sign(now)}`,
        )
      ).body.code,
    ).toBe('10018');
    expect((await get('/open-auth/dataCenter/getGatewayAddress?tenantId=nobody')).body.code).toBe('500');
  });

  it('checks the path before the token: 310404 with HTTP 404, then 310001, then 310036', async () => {
    expect(await get('/iuap-api-gateway/yonbip/scm/nothing/list')).toMatchObject({
      status: 404,
      body: { code: '310404' },
    });
    expect(await get('/iuap-api-gateway/yonbip/scm/salesout/detail?id=1')).toMatchObject({
      status: 200,
      body: { code: '310001' },
    });
    expect(await get('/iuap-api-gateway/yonbip/scm/salesout/detail?id=1&access_token=forged')).toMatchObject({
      status: 200,
      body: { code: '310036' },
    });
  });
});
