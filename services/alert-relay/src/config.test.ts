import { parseRelayConfig, resolveRobots } from './config';

const base = {
  consoleUrl: 'https://yecai.example.com',
  robots: [{ kind: 'wecom', name: 'ops-wecom', key: 'env:CONFIG_TEST_WECOM_KEY' }],
};

describe('alert relay config', () => {
  it('takes the port and console URL from the environment over the file, and defaults the robot endpoints', () => {
    const config = parseRelayConfig({ ...base, port: 9000 }, { ALERT_RELAY_PORT: '9100', ALERT_RELAY_CONSOLE_URL: 'https://console.example.cn' });
    expect(config.port).toBe(9100);
    expect(config.consoleUrl).toBe('https://console.example.cn');
    expect(config.robots[0]).toMatchObject({ url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send' });
    expect(config.perMinute).toBe(20);
  });

  it('refuses an inline secret, naming the field, and never echoes it', () => {
    const inline = { ...base, robots: [{ kind: 'dingtalk', name: 'dt', accessToken: 'env:X', secret: 'SECinline-secret-value' }] };
    expect(() => parseRelayConfig(inline)).toThrow(/robots\.0\.secret: secrets are references: env:NAME or file:\/path/);
    try {
      parseRelayConfig(inline);
    } catch (error) {
      expect(String(error)).not.toContain('SECinline-secret-value');
    }
  });

  it('refuses more than 20 messages a minute, a robot name that could carry a secret, and an unknown kind', () => {
    expect(() => parseRelayConfig({ ...base, perMinute: 30 })).toThrow(/perMinute/);
    expect(() => parseRelayConfig({ ...base, robots: [{ ...base.robots[0], name: 'key=abc/def' }] })).toThrow(/robots\.0\.name/);
    expect(() => parseRelayConfig({ ...base, robots: [{ kind: 'feishu', name: 'x' }] })).toThrow(/robots\.0/);
  });

  it('says which variable is missing when a secret cannot be resolved', () => {
    delete process.env.CONFIG_TEST_WECOM_KEY;
    expect(() => resolveRobots(parseRelayConfig(base))).toThrow('robots.0.key: environment variable CONFIG_TEST_WECOM_KEY is not set');
  });
});
