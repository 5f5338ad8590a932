import { TEST_SECRETS, startRelayWithRobots, type RelayWithRobots } from './test-support';

const RECEIVER_TOKEN = TEST_SECRETS.ALERT_TEST_RECEIVER;

const notification = (level: string, status: 'firing' | 'resolved' = 'firing') => ({
  version: '4',
  status,
  groupLabels: { alertname: 'YecaiBillsParked' },
  commonLabels: { alertname: 'YecaiBillsParked', form: 'SAL_OUTSTOCK', level },
  commonAnnotations: { summary: 'SAL_OUTSTOCK: 1 张单据被搁置 bills parked' },
  alerts: [{ status, labels: { alertname: 'YecaiBillsParked', form: 'SAL_OUTSTOCK', level }, annotations: {}, startsAt: '2026-12-07T04:00:00Z' }],
});

describe('alert relay → robot emulators', () => {
  let setup: RelayWithRobots;
  const robots = () => setup.robots;
  beforeEach(async () => {
    setup = await startRelayWithRobots({ consoleUrl: 'https://yecai.example.com', initialDelayMs: 10 });
  });
  afterEach(() => setup.close());

  const post = (body: unknown, token = RECEIVER_TOKEN) =>
    fetch(`${setup.relay.url}/alerts`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });

  it('delivers a level-1 notification to both robots with a link into the console', async () => {
    const response = await post(notification('1'));
    expect(response.status).toBe(200);
    const [dingTalk, weCom] = [robots().received.find((m) => m.robot === 'dingtalk')!, robots().received.find((m) => m.robot === 'wecom')!];
    expect(dingTalk.body).toMatchObject({ msgtype: 'markdown', markdown: { title: '【一级异常 L1】YecaiBillsParked' }, at: { isAtAll: false } });
    expect((weCom.body.markdown as { content: string }).content).toContain('https://yecai.example.com/exceptions?level=1&flow=SAL_OUTSTOCK');
    expect(robots().received).toHaveLength(2);
    const metrics = await setup.registry.metrics();
    expect(metrics).toContain('yecai_alert_relay_notifications_total{channel="ops-dingtalk",kind="dingtalk",outcome="delivered"} 1');
    expect(metrics).not.toContain(TEST_SECRETS.ALERT_TEST_DT_TOKEN);
  });

  it('pages everyone for a level-3 outage: DingTalk isAtAll, WeCom an @all text after the markdown', async () => {
    expect((await post(notification('3'))).status).toBe(200);
    expect(robots().received.find((m) => m.robot === 'dingtalk')!.body).toMatchObject({ at: { isAtAll: true } });
    expect(robots().received.filter((m) => m.robot === 'wecom').map((m) => m.body.msgtype)).toEqual(['markdown', 'text']);
    expect(robots().received.find((m) => m.body.msgtype === 'text')!.body).toMatchObject({ text: { mentioned_list: ['@all'] } });
  });

  it('refuses a notification without the receiver token (401) and an invalid body naming the field (400)', async () => {
    expect((await post(notification('1'), 'wrong-token-0123456789')).status).toBe(401);
    const bad = await post({ status: 'firing', alerts: [] });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ field: 'alerts' });
    expect(robots().received).toHaveLength(0);
  });

  it('retries a robot’s 5xx and delivers', async () => {
    robots().faults.merge({ serverErrorBurst: 2 });
    expect((await post(notification('1'))).status).toBe(200);
    expect(robots().received).toHaveLength(2);
    expect(robots().stats.counts['5xx']).toBe(2);
    const retried = [...(await setup.registry.metrics()).matchAll(/yecai_alert_relay_retries_total\{[^}]*\} (\d+)/g)].map((match) => Number(match[1]));
    expect(retried.reduce((sum, count) => sum + count, 0)).toBe(2);
  });

  it('answers 502 with the bilingual meaning of DingTalk 310000 when the secret is wrong, and never retries it', async () => {
    await setup.close();
    setup = await startRelayWithRobots({ consoleUrl: 'https://yecai.example.com', dingTalkSecretOnRobot: 'SECrotated-on-the-robot', initialDelayMs: 10 });
    const response = await post(notification('1'));
    expect(response.status).toBe(502);
    const { deliveries } = (await response.json()) as { deliveries: { robot: string; ok: boolean; error?: string }[] };
    const failed = deliveries.find((delivery) => delivery.robot === 'ops-dingtalk')!;
    expect(failed.ok).toBe(false);
    expect(failed.error).toContain('钉钉机器人安全设置不通过');
    expect(failed.error).toContain('DingTalk security check failed');
    expect(failed.error).not.toContain(TEST_SECRETS.ALERT_TEST_DT_SECRET);
    expect(robots().stats.counts['310000']).toBe(1);
    expect(deliveries.find((delivery) => delivery.robot === 'ops-wecom')!.ok).toBe(true);
    expect(await setup.registry.metrics()).toContain('yecai_alert_relay_robot_errors_total{channel="ops-dingtalk",code="DINGTALK_310000"} 1');
  });
});
