import express from 'express';
import {
  answerGatewayFault,
  CallStats,
  CallWindow,
  FaultKnobs,
  listen,
  mountAdminCore,
  type GatewayFaults,
  type ListenOptions,
  type RunningServer,
} from '@yecai/emulator-kit';
import { verifyDingTalkSign } from './signature';

/** Both robots accept at most 20 messages per minute each (DingTalk answers 130101, WeCom 45009). */
export const ROBOT_MESSAGES_PER_MINUTE = 20;
/** WeCom refuses markdown content above 4096 bytes of UTF-8. */
export const WECOM_MARKDOWN_MAX_BYTES = 4096;

export interface DingTalkRobotSetup {
  accessToken: string;
  /** The 加签 secret; every call must be signed with it. */
  secret: string;
}

export interface WeComRobotSetup {
  key: string;
}

export interface ReceivedMessage {
  robot: 'dingtalk' | 'wecom';
  /** The DingTalk access token or WeCom key it was sent to (tests only: this is an emulator). */
  target: string;
  at: number;
  body: Record<string, unknown>;
}

export interface RobotsEmulatorOptions extends ListenOptions {
  dingtalk?: DingTalkRobotSetup[];
  wecom?: WeComRobotSetup[];
  faults?: Partial<GatewayFaults>;
  /** The robots' clock (signature window, rate limits). */
  now?: () => number;
  random?: () => number;
}

export interface RobotsEmulator extends RunningServer {
  /** DingTalk webhook base: `${url}/robot/send`. */
  dingTalkUrl: string;
  /** WeCom webhook base: `${url}/cgi-bin/webhook/send`. */
  weComUrl: string;
  received: ReceivedMessage[];
  stats: CallStats;
  faults: FaultKnobs<GatewayFaults>;
}

type Answer = { errcode: number; errmsg: string };
const OK: Answer = { errcode: 0, errmsg: 'ok' };

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const nonEmpty = (value: unknown): value is string => typeof value === 'string' && value.trim() !== '';

/** DingTalk message shapes (text, markdown, link); `at` must be an object when present. */
function dingTalkShapeError(body: unknown): string | undefined {
  if (!isObject(body)) return 'body is not JSON';
  if (body.at !== undefined && !isObject(body.at)) return 'at must be an object';
  if (body.msgtype === 'markdown') {
    const markdown = body.markdown;
    return isObject(markdown) && nonEmpty(markdown.title) && nonEmpty(markdown.text) ? undefined : 'markdown.title and markdown.text are required';
  }
  if (body.msgtype === 'text') return isObject(body.text) && nonEmpty(body.text.content) ? undefined : 'text.content is required';
  return `unsupported msgtype ${JSON.stringify(body.msgtype)}`;
}

/** WeCom group-robot shapes (text with mentioned_list, markdown with its byte limit). */
function weComError(body: unknown): Answer | undefined {
  if (!isObject(body)) return { errcode: 40000, errmsg: 'invalid json' };
  if (body.msgtype === 'markdown') {
    const markdown = body.markdown;
    if (!isObject(markdown) || !nonEmpty(markdown.content)) return { errcode: 41016, errmsg: 'markdown.content missing' };
    if (Buffer.byteLength(markdown.content, 'utf8') > WECOM_MARKDOWN_MAX_BYTES) return { errcode: 40058, errmsg: 'markdown.content exceed max length 4096' };
    return undefined;
  }
  if (body.msgtype === 'text') {
    const text = body.text;
    if (!isObject(text) || !nonEmpty(text.content)) return { errcode: 41016, errmsg: 'text.content missing' };
    if (text.mentioned_list !== undefined && !(Array.isArray(text.mentioned_list) && text.mentioned_list.every(nonEmpty))) return { errcode: 40058, errmsg: 'mentioned_list must be a list of userids' };
    return undefined;
  }
  return { errcode: 40008, errmsg: 'invalid message type' };
}

/**
 * 钉钉 custom robot (`POST /robot/send?access_token&timestamp&sign`) and 企业微信 group robot
 * (`POST /cgi-bin/webhook/send?key`) on one port. Both answer HTTP 200 with `{errcode, errmsg}`, like the real ones.
 * `GET /__admin/state` returns `received` (every accepted message); `POST /__admin/received/reset` empties it.
 */
export async function startRobotsEmulator(options: RobotsEmulatorOptions = {}): Promise<RobotsEmulator> {
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const faults = new FaultKnobs<GatewayFaults>(options.faults);
  const stats = new CallStats();
  const window = new CallWindow(60_000);
  const received: ReceivedMessage[] = [];
  const dingtalk = new Map((options.dingtalk ?? []).map((robot) => [robot.accessToken, robot]));
  const wecom = new Set((options.wecom ?? []).map((robot) => robot.key));
  const app = express();

  const answer = (res: express.Response, result: Answer) => {
    stats.count(result.errcode === 0 ? 'ok' : String(result.errcode));
    res.json(result);
  };
  /** Counts every accepted message against the robot's per-minute budget; true when the budget is spent. */
  const overBudget = (target: string, at: number): boolean => {
    if (window.countWithin(target, at) >= ROBOT_MESSAGES_PER_MINUTE || faults.take('throttleBurst')) return true;
    window.record(target, at);
    return false;
  };

  app.post('/robot/send', express.json({ limit: '1mb' }), (req, res) => {
    if (answerGatewayFault(faults, res, random, stats)) return;
    const at = now();
    const token = String(req.query.access_token ?? '');
    const robot = dingtalk.get(token);
    if (!robot) return answer(res, { errcode: 300001, errmsg: 'token is not exist' });
    const verdict = verifyDingTalkSign(req.query.timestamp, req.query.sign, robot.secret, at);
    if (verdict !== 'ok') return answer(res, { errcode: 310000, errmsg: `sign not match (${verdict}), more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]` });
    const shape = dingTalkShapeError(req.body);
    if (shape) return answer(res, { errcode: 40035, errmsg: `缺少参数 json: ${shape}` });
    if (overBudget(`dingtalk:${token}`, at)) return answer(res, { errcode: 130101, errmsg: 'send too fast, exceed 20 times per minute' });
    received.push({ robot: 'dingtalk', target: token, at, body: req.body as Record<string, unknown> });
    answer(res, OK);
  });

  app.post('/cgi-bin/webhook/send', express.json({ limit: '1mb' }), (req, res) => {
    if (answerGatewayFault(faults, res, random, stats)) return;
    const at = now();
    const key = String(req.query.key ?? '');
    if (!wecom.has(key)) return answer(res, { errcode: 93000, errmsg: 'invalid webhook url, hint: [1] from ip: 127.0.0.1' });
    const error = weComError(req.body);
    if (error) return answer(res, error);
    if (overBudget(`wecom:${key}`, at)) return answer(res, { errcode: 45009, errmsg: 'api freq out of limit' });
    received.push({ robot: 'wecom', target: key, at, body: req.body as Record<string, unknown> });
    answer(res, OK);
  });

  mountAdminCore(app, { stats, faults, state: () => ({ received }) });
  app.post('/__admin/received/reset', (_req, res) => {
    received.length = 0;
    res.json({ received });
  });

  const server = await listen(app, options);
  return { ...server, dingTalkUrl: `${server.url}/robot/send`, weComUrl: `${server.url}/cgi-bin/webhook/send`, received, stats, faults };
}
