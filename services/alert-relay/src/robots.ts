import { createHmac } from 'node:crypto';
import { SlidingWindowRateLimiter, YecaiError, withRetry } from '@yecai/common';
import type { ResolvedRobot } from './config';
import { consoleLink, withLinkWithin, type RenderedMessage } from './render';

/** WeCom refuses markdown content above 4096 bytes (errcode 40058). */
export const WECOM_MARKDOWN_MAX_BYTES = 4096;
/** DingTalk does not publish a markdown limit; messages far above this are refused, so we stay well under it. */
export const DINGTALK_MARKDOWN_MAX_BYTES = 20_000;

/**
 * DingTalk custom-robot 加签: base64(HmacSHA256(key = secret, data = `${timestampMs}\n${secret}`)). The caller
 * URL-encodes it into the `sign` query parameter beside `timestamp`.
 */
export function dingTalkSign(timestampMs: number, secret: string): string {
  return createHmac('sha256', secret).update(`${timestampMs}\n${secret}`, 'utf8').digest('base64');
}

/** A robot refused a message, or could not be reached: the message a person reads names the robot and the fix. */
export class RobotError extends YecaiError {}

/** What the robots' error codes mean to the person configuring them (Chinese first, English beside it). */
const ROBOT_ERRORS: Record<string, string> = {
  'dingtalk:310000': '钉钉机器人安全设置不通过（加签密钥错误、时间戳超过 1 小时、缺少关键词或 IP 不在白名单） DingTalk security check failed: wrong signing secret, timestamp older than 1 hour, missing keyword or IP not allowed',
  'dingtalk:300001': '钉钉机器人 access_token 无效 DingTalk robot access_token is invalid',
  'dingtalk:130101': '钉钉机器人发送太快（每分钟最多 20 条） DingTalk robot rate limit: at most 20 messages a minute',
  'wecom:93000': '企业微信机器人 key 无效 WeCom robot key is invalid',
  'wecom:45009': '企业微信机器人发送太快（每分钟最多 20 条） WeCom robot rate limit: at most 20 messages a minute',
  'wecom:40058': '企业微信消息超过长度限制 WeCom message too long',
};

function robotError(robot: ResolvedRobot, errcode: number, errmsg: string): RobotError {
  const known = ROBOT_ERRORS[`${robot.kind}:${errcode}`];
  const text = `${known ?? `${robot.kind === 'dingtalk' ? '钉钉' : '企业微信'}机器人拒绝了消息 robot refused the message`}（robot ${robot.name}, errcode ${errcode}: ${errmsg}）`;
  return new RobotError(text, { code: `${robot.kind.toUpperCase()}_${errcode}`, level: 3, retriable: false });
}

export interface RobotOptions {
  consoleUrl: string;
  maxAttempts: number;
  perMinute: number;
  /** Test seam: a fixed clock for the DingTalk timestamp. */
  now?: () => number;
  onRetry?: (robot: ResolvedRobot, error: unknown) => void;
  /** Delays between attempts (tests shorten them). */
  initialDelayMs?: number;
}

/** One configured robot: turns a rendered notification into its JSON bodies and posts them, paced and retried. */
export class Robot {
  private readonly limiter: SlidingWindowRateLimiter;
  private readonly now: () => number;

  constructor(
    readonly config: ResolvedRobot,
    private readonly options: RobotOptions,
  ) {
    this.limiter = new SlidingWindowRateLimiter([{ limit: options.perMinute, windowMs: 60_000 }], 1_000);
    this.now = options.now ?? Date.now;
  }

  get name(): string {
    return this.config.name;
  }

  get kind(): ResolvedRobot['kind'] {
    return this.config.kind;
  }

  /** The bodies this robot posts for one notification: DingTalk one markdown; WeCom a markdown, plus an @all text when paging. */
  bodies(message: RenderedMessage, flow: string | undefined): Record<string, unknown>[] {
    const link = consoleLink(this.options.consoleUrl, message.level, flow);
    if (this.config.kind === 'dingtalk') {
      const text = withLinkWithin(message.markdown, link, DINGTALK_MARKDOWN_MAX_BYTES);
      return [{ msgtype: 'markdown', markdown: { title: message.title, text: message.pageEveryone ? `${text}\n\n@所有人` : text }, at: { isAtAll: message.pageEveryone } }];
    }
    const bodies: Record<string, unknown>[] = [{ msgtype: 'markdown', markdown: { content: withLinkWithin(message.markdown, link, WECOM_MARKDOWN_MAX_BYTES) } }];
    // WeCom markdown cannot @-mention everyone; only a text message can.
    if (message.pageEveryone) bodies.push({ msgtype: 'text', text: { content: `${message.title} ${link}`, mentioned_list: ['@all'] } });
    return bodies;
  }

  async send(message: RenderedMessage, flow: string | undefined): Promise<void> {
    for (const body of this.bodies(message, flow)) {
      await withRetry(() => this.limiter.run(() => this.post(body)), {
        maxAttempts: this.options.maxAttempts,
        initialDelayMs: this.options.initialDelayMs ?? 500,
        onRetry: (error) => this.options.onRetry?.(this.config, error),
      });
    }
  }

  /** The URL with its secrets: used for the request only, never logged or put in an error. */
  private endpoint(): string {
    const url = new URL(this.config.url);
    if (this.config.kind === 'dingtalk') {
      const timestamp = this.now();
      url.searchParams.set('access_token', this.config.accessToken);
      url.searchParams.set('timestamp', String(timestamp));
      url.searchParams.set('sign', dingTalkSign(timestamp, this.config.secret));
    } else {
      url.searchParams.set('key', this.config.key);
    }
    return url.toString();
  }

  private async post(body: Record<string, unknown>): Promise<void> {
    const where = `${this.config.kind} robot ${this.config.name}`;
    let response: Response;
    try {
      response = await fetch(this.endpoint(), {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(10_000),
      });
    } catch (error) {
      const reason = error instanceof Error ? error.name : 'error';
      throw new RobotError(`机器人无法连接 robot unreachable (${where}: ${reason})`, { code: 'ROBOT_UNREACHABLE', level: 3, retriable: true });
    }
    if (response.status >= 500) {
      throw new RobotError(`机器人服务端错误 robot server error (${where}: HTTP ${response.status})`, { code: 'ROBOT_HTTP_5XX', level: 3, retriable: true });
    }
    const answer = (await response.json().catch(() => undefined)) as { errcode?: number; errmsg?: string } | undefined;
    if (!response.ok || answer === undefined || typeof answer.errcode !== 'number') {
      throw new RobotError(`机器人应答无法识别 unexpected robot answer (${where}: HTTP ${response.status})`, { code: 'ROBOT_BAD_ANSWER', level: 3, retriable: false });
    }
    if (answer.errcode !== 0) throw robotError(this.config, answer.errcode, answer.errmsg ?? '');
  }
}
