import { startRobotsEmulator, type RobotsEmulator } from './server';
import { expectedDingTalkSign, verifyDingTalkSign } from './signature';

// Independent vector: printf '1700000000000\nSECexample0123456789' | openssl dgst -sha256 -hmac 'SECexample0123456789' -binary | base64
const VECTOR = { timestamp: '1700000000000', secret: 'SECexample0123456789', sign: 'figG6qqCA/lRh0hsGCW2zNtNV5znkAFut5BI0zKhqnQ=' };
const SECRET = 'SECtest-secret-0001';

describe('DingTalk signature (the emulator’s own implementation)', () => {
  it('matches the openssl vector and accepts it within the hour', () => {
    expect(expectedDingTalkSign(VECTOR.timestamp, VECTOR.secret).toString()).toBe(VECTOR.sign);
    expect(verifyDingTalkSign(VECTOR.timestamp, VECTOR.sign, VECTOR.secret, 1_700_000_000_000 + 3_599_000)).toBe('ok');
  });

  it('refuses a timestamp more than an hour off, a wrong secret and a missing sign', () => {
    expect(verifyDingTalkSign(VECTOR.timestamp, VECTOR.sign, VECTOR.secret, 1_700_000_000_000 + 3_601_000)).toBe('stale timestamp');
    expect(verifyDingTalkSign(VECTOR.timestamp, VECTOR.sign, 'SECother', 1_700_000_000_000)).toBe('sign mismatch');
    expect(verifyDingTalkSign(VECTOR.timestamp, undefined, VECTOR.secret, 1_700_000_000_000)).toBe('missing');
  });
});

describe('robots emulator', () => {
  let clock = 1_700_000_000_000;
  let robots: RobotsEmulator;
  beforeEach(async () => {
    clock = 1_700_000_000_000;
    robots = await startRobotsEmulator({ dingtalk: [{ accessToken: 'tok1', secret: SECRET }], wecom: [{ key: 'key1' }], now: () => clock });
  });
  afterEach(() => robots.close());

  const dingTalk = (body: unknown, timestamp = clock, secret = SECRET, token = 'tok1') => {
    const sign = expectedDingTalkSign(String(timestamp), secret).toString();
    const url = `${robots.dingTalkUrl}?access_token=${token}&timestamp=${timestamp}&sign=${encodeURIComponent(sign)}`;
    return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((res) => res.json());
  };
  const weCom = (body: unknown, key = 'key1') =>
    fetch(`${robots.weComUrl}?key=${key}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((res) => res.json());
  const markdown = { msgtype: 'markdown', markdown: { title: '告警', text: '### 告警' } };

  it('keeps a correctly signed DingTalk markdown and shows it in /__admin/state', async () => {
    expect(await dingTalk({ ...markdown, at: { isAtAll: true } })).toEqual({ errcode: 0, errmsg: 'ok' });
    const state = (await fetch(`${robots.url}/__admin/state`).then((res) => res.json())) as { received: { robot: string; body: { at: unknown } }[] };
    expect(state.received).toHaveLength(1);
    expect(state.received[0]).toMatchObject({ robot: 'dingtalk', body: { at: { isAtAll: true } } });
  });

  it('answers DingTalk’s error codes: 310000 for a stale or wrong sign, 300001 for an unknown token, 40035 for a bad shape', async () => {
    expect(await dingTalk(markdown, clock - 3_700_000)).toMatchObject({ errcode: 310000 });
    expect(await dingTalk(markdown, clock, 'SECwrong')).toMatchObject({ errcode: 310000 });
    expect(await dingTalk(markdown, clock, SECRET, 'nope')).toMatchObject({ errcode: 300001 });
    expect(await dingTalk({ msgtype: 'markdown', markdown: { text: 'no title' } })).toMatchObject({ errcode: 40035 });
    expect(robots.received).toHaveLength(0);
  });

  it('checks the WeCom key, the markdown byte limit and the @all text shape', async () => {
    expect(await weCom({ msgtype: 'markdown', markdown: { content: '告警' } }, 'bad')).toMatchObject({ errcode: 93000 });
    expect(await weCom({ msgtype: 'markdown', markdown: { content: '告'.repeat(1366) } })).toMatchObject({ errcode: 40058 }); // 4098 bytes
    expect(await weCom({ msgtype: 'markdown', markdown: { content: '告'.repeat(1365) } })).toEqual({ errcode: 0, errmsg: 'ok' }); // 4095 bytes
    expect(await weCom({ msgtype: 'text', text: { content: '宕机', mentioned_list: ['@all'] } })).toEqual({ errcode: 0, errmsg: 'ok' });
    expect(await weCom({ msgtype: 'news' })).toMatchObject({ errcode: 40008 });
    expect(robots.received.map((message) => message.body.msgtype)).toEqual(['markdown', 'text']);
  });

  it('refuses the 21st message within a minute per robot (130101 / 45009) and accepts again a minute later', async () => {
    for (let index = 0; index < 20; index += 1) {
      expect(await dingTalk(markdown)).toMatchObject({ errcode: 0 });
      expect(await weCom({ msgtype: 'markdown', markdown: { content: `#${index}` } })).toMatchObject({ errcode: 0 });
    }
    expect(await dingTalk(markdown)).toMatchObject({ errcode: 130101 });
    expect(await weCom({ msgtype: 'markdown', markdown: { content: 'x' } })).toMatchObject({ errcode: 45009 });
    clock += 60_001;
    expect(await dingTalk(markdown)).toMatchObject({ errcode: 0 });
    expect(await weCom({ msgtype: 'markdown', markdown: { content: 'y' } })).toMatchObject({ errcode: 0 });
  });
});
