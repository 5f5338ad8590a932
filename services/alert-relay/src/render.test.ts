import { dingTalkSign } from './robots';
import { consoleLink, renderNotification, withLinkWithin, WebhookPayloadSchema } from './render';

// Independent vector: printf '1700000000000\nSECexample0123456789' | openssl dgst -sha256 -hmac 'SECexample0123456789' -binary | base64
it('signs DingTalk messages as the openssl vector says', () => {
  expect(dingTalkSign(1_700_000_000_000, 'SECexample0123456789')).toBe('figG6qqCA/lRh0hsGCW2zNtNV5znkAFut5BI0zKhqnQ=');
});

const parked = (status: 'firing' | 'resolved', level = '1') =>
  WebhookPayloadSchema.parse({
    version: '4',
    status,
    groupKey: '{}:{alertname="YecaiBillsParked"}',
    groupLabels: { alertname: 'YecaiBillsParked' },
    commonLabels: { alertname: 'YecaiBillsParked', form: 'SAL_OUTSTOCK', level, severity: 'warning' },
    commonAnnotations: { summary: 'SAL_OUTSTOCK: 1 张单据被搁置 bills parked for 30 min', description: '一级异常：修正数据或映射后重推 Level 1: fix the data' },
    alerts: [
      {
        status,
        labels: { alertname: 'YecaiBillsParked', form: 'SAL_OUTSTOCK', level },
        annotations: { summary: 'SAL_OUTSTOCK: 1 张单据被搁置 bills parked for 30 min' },
        startsAt: '2026-12-07T04:00:00Z',
        endsAt: status === 'resolved' ? '2026-12-07T04:30:00Z' : '0001-01-01T00:00:00Z',
      },
    ],
  });

describe('renderNotification', () => {
  it('says, in Chinese, the level, the flow, what happened, how many and since when (Beijing time)', () => {
    const message = renderNotification(parked('firing'));
    expect(message.title).toBe('【一级异常 L1】YecaiBillsParked');
    expect(message.markdown).toContain('一级异常（数据错误，修正后重推）');
    expect(message.markdown).toContain('流程 Flow：SAL_OUTSTOCK');
    expect(message.markdown).toContain('1 张单据被搁置');
    expect(message.markdown).toContain('数量 Alerts：1 条');
    expect(message.markdown).toContain('开始于 Since：2026-12-07 12:00:00（北京时间');
    expect(message.markdown).toContain('修正数据或映射后重推');
    expect(message.pageEveryone).toBe(false);
  });

  it('renders the resolved message with when it ended, and pages everyone only for a firing level-3 alert', () => {
    const resolved = renderNotification(parked('resolved'));
    expect(resolved.title).toBe('【已恢复 Resolved】一级异常 YecaiBillsParked');
    expect(resolved.markdown).toContain('恢复于 Resolved at：2026-12-07 12:30:00');
    expect(renderNotification(parked('firing', '3')).pageEveryone).toBe(true);
    expect(renderNotification(parked('resolved', '3')).pageEveryone).toBe(false);
  });

  it('lists at most ten alerts of a group and counts the rest, including those Alertmanager truncated', () => {
    const payload = parked('firing');
    const many = WebhookPayloadSchema.parse({
      ...payload,
      truncatedAlerts: 5,
      commonLabels: { alertname: 'YecaiBillsParked', level: '1' },
      commonAnnotations: {},
      alerts: Array.from({ length: 12 }, (_, index) => ({ ...payload.alerts[0]!, labels: { ...payload.alerts[0]!.labels, form: `FORM_${index}` }, annotations: { summary: `FORM_${index}: parked` } })),
    });
    const message = renderNotification(many);
    expect(message.markdown).toContain('数量 Alerts：17 条');
    expect(message.markdown).toContain('FORM_9: parked');
    expect(message.markdown).not.toContain('FORM_10: parked');
    expect(message.markdown).toContain('另有 7 条 and 7 more');
  });
});

describe('links and size limits', () => {
  it('links level 1/2 into the exception queue filtered by flow, level 3 to the flows page', () => {
    expect(consoleLink('https://c.example/console/', 1, 'SAL_OUTSTOCK')).toBe('https://c.example/console/exceptions?level=1&flow=SAL_OUTSTOCK');
    expect(consoleLink('https://c.example', 3, 'x')).toBe('https://c.example/flows');
  });

  it('cuts a message to the byte limit on a character boundary, says so, and keeps the link', () => {
    const text = withLinkWithin(`### 告警\n${'搁置单据'.repeat(2000)}`, 'https://c.example/exceptions', 4096);
    expect(Buffer.byteLength(text, 'utf8')).toBeLessThanOrEqual(4096);
    expect(text).toContain('已截断 message truncated');
    expect(text.endsWith('(https://c.example/exceptions)')).toBe(true);
    expect(text).not.toContain('\uFFFD');
    expect(withLinkWithin('short', 'https://c.example', 4096)).toBe('short\n\n[在控制台处理 Open in the console](https://c.example)');
  });
});
