import { formatBeijingTime } from '@yecai/common';
import { z } from 'zod';

/** One alert of Alertmanager's webhook payload (version 4). */
const AlertSchema = z.object({
  status: z.enum(['firing', 'resolved']),
  labels: z.record(z.string(), z.string()),
  annotations: z.record(z.string(), z.string()).default({}),
  startsAt: z.string(),
  endsAt: z.string().optional(),
  generatorURL: z.string().optional(),
  fingerprint: z.string().optional(),
});

/** Alertmanager's webhook body (https://prometheus.io/docs/alerting/latest/configuration/#webhook_config). */
export const WebhookPayloadSchema = z.object({
  version: z.string().optional(),
  groupKey: z.string().optional(),
  truncatedAlerts: z.number().int().min(0).default(0),
  status: z.enum(['firing', 'resolved']),
  receiver: z.string().optional(),
  groupLabels: z.record(z.string(), z.string()).default({}),
  commonLabels: z.record(z.string(), z.string()).default({}),
  commonAnnotations: z.record(z.string(), z.string()).default({}),
  externalURL: z.string().optional(),
  alerts: z.array(AlertSchema).min(1, 'a notification carries at least one alert'),
});
export type WebhookPayload = z.infer<typeof WebhookPayloadSchema>;
type Alert = WebhookPayload['alerts'][number];

/** A message both robots can send: the markdown is the same; who is @-mentioned differs per robot. */
export interface RenderedMessage {
  title: string;
  markdown: string;
  /** Level 3 (system down) while firing: page everyone (DingTalk isAtAll, WeCom @all). */
  pageEveryone: boolean;
  /** The highest exception level among the alerts (1–3), undefined when none carries a `level` label. */
  level: 1 | 2 | 3 | undefined;
}

const LEVEL_TEXT: Record<1 | 2 | 3, string> = {
  1: '一级异常（数据错误，修正后重推） Level 1: data error, fix and re-push',
  2: '二级异常（业务冲突，待处理） Level 2: business conflict, pending',
  3: '三级异常（系统故障，流程暂停） Level 3: system down, flow paused',
};
const LEVEL_SHORT: Record<1 | 2 | 3, string> = { 1: '一级异常', 2: '二级异常', 3: '三级异常' };
/** How many alerts one message lists; the rest are counted ("另有 N 条"). */
const LISTED_ALERTS = 10;

function levelOf(alert: Alert): 1 | 2 | 3 | undefined {
  const level = Number(alert.labels.level);
  return level === 1 || level === 2 || level === 3 ? level : undefined;
}

/** The flow an alert is about: its flow, Kingdee form, topic or service label, whichever the rule keeps. */
function flowOf(labels: Record<string, string>): string | undefined {
  return labels.flow ?? labels.form ?? labels.topic ?? labels.stream ?? labels.service;
}

function sinceText(iso: string | undefined): string | undefined {
  const ms = iso ? Date.parse(iso) : NaN;
  // Alertmanager sends 0001-01-01T00:00:00Z for "not ended".
  return Number.isFinite(ms) && ms > 0 ? `${formatBeijingTime(ms)}（北京时间 Beijing time）` : undefined;
}

/** A link into the console: the exception queue filtered by level and flow, or the flows page for outages. */
export function consoleLink(consoleUrl: string, level: 1 | 2 | 3 | undefined, flow: string | undefined): string {
  const base = consoleUrl.replace(/\/+$/, '');
  if (level === 3) return `${base}/flows`;
  const query = new URLSearchParams();
  if (level !== undefined) query.set('level', String(level));
  if (flow !== undefined) query.set('flow', flow);
  const text = query.toString();
  return level === undefined && flow === undefined ? `${base}/` : `${base}/exceptions${text ? `?${text}` : ''}`;
}

/** Markdown text is ours; label values are data: keep them from breaking the layout. */
const inline = (text: string): string => text.replace(/[\r\n]+/g, ' ').trim();

function alertLine(alert: Alert): string {
  const summary = alert.annotations.summary ?? alert.labels.alertname ?? 'alert';
  const mark = alert.status === 'resolved' ? '✅' : '🔴';
  const flow = flowOf(alert.labels);
  return `- ${mark} ${inline(summary)}${flow && !summary.includes(flow) ? `（${inline(flow)}）` : ''}`;
}

/** Renders one Alertmanager notification (a group of alerts) as the robots' markdown, in Chinese with English beside it; each robot adds the console link within its own size limit. */
export function renderNotification(payload: WebhookPayload): RenderedMessage {
  const levels = payload.alerts.map(levelOf).filter((level): level is 1 | 2 | 3 => level !== undefined);
  const level = levels.length ? (Math.max(...levels) as 1 | 2 | 3) : undefined;
  const resolved = payload.status === 'resolved';
  const alertname = payload.commonLabels.alertname ?? payload.groupLabels.alertname ?? payload.alerts[0]!.labels.alertname ?? 'alert';
  const flow = flowOf(payload.commonLabels) ?? flowOf(payload.groupLabels);
  const firing = payload.alerts.filter((alert) => alert.status === 'firing');
  const starts = payload.alerts.map((alert) => Date.parse(alert.startsAt)).filter((ms) => Number.isFinite(ms) && ms > 0);
  const since = sinceText(starts.length ? new Date(Math.min(...starts)).toISOString() : undefined);
  const count = payload.alerts.length + payload.truncatedAlerts;

  const label = level ? LEVEL_SHORT[level] : '告警';
  const title = resolved ? `【已恢复 Resolved】${label} ${alertname}` : `【${label} ${level ? `L${level}` : 'Alert'}】${alertname}`;
  const lines: string[] = [`### ${resolved ? '✅' : level === 3 ? '🚨' : '🔴'} ${title}`, ''];
  const summary = payload.commonAnnotations.summary ?? (payload.alerts.length === 1 ? payload.alerts[0]!.annotations.summary : undefined);
  if (summary) lines.push(`**${inline(summary)}**`, '');
  if (level) lines.push(`- 级别 Level：${LEVEL_TEXT[level]}`);
  if (flow) lines.push(`- 流程 Flow：${inline(flow)}`);
  lines.push(`- 数量 Alerts：${count} 条${resolved ? '已恢复 resolved' : `，其中 ${firing.length} 条告警中 firing`}`);
  if (since) lines.push(`- 开始于 Since：${since}`);
  if (resolved) {
    const ends = payload.alerts.map((alert) => sinceText(alert.endsAt)).filter(Boolean);
    if (ends.length) lines.push(`- 恢复于 Resolved at：${ends.at(-1)}`);
  }
  const description = payload.commonAnnotations.description ?? (payload.alerts.length === 1 ? payload.alerts[0]!.annotations.description : undefined);
  if (description && !resolved) lines.push('', `> ${inline(description)}`);
  if (payload.alerts.length > 1 || payload.truncatedAlerts > 0) {
    lines.push('', ...payload.alerts.slice(0, LISTED_ALERTS).map(alertLine));
    const unlisted = payload.alerts.length - LISTED_ALERTS + payload.truncatedAlerts;
    if (unlisted > 0) lines.push(`- …另有 ${unlisted} 条 and ${unlisted} more`);
  }
  if (level === 3 && !resolved) lines.push('', '**请值班人员立即处理 On-call: act now.**');
  return { title, markdown: lines.join('\n'), pageEveryone: level === 3 && !resolved, level };
}

/** The markdown followed by the console link, cut to `maxBytes` of UTF-8 with a note saying so (the link is always kept). */
export function withLinkWithin(markdown: string, link: string, maxBytes: number): string {
  const tail = `\n\n[在控制台处理 Open in the console](${link})`;
  const full = markdown + tail;
  if (Buffer.byteLength(full, 'utf8') <= maxBytes) return full;
  const note = '\n\n…（内容过长，已截断 message truncated to the robot’s size limit）';
  const room = maxBytes - Buffer.byteLength(note + tail, 'utf8');
  let cut = '';
  let used = 0;
  for (const char of markdown) {
    const size = Buffer.byteLength(char, 'utf8');
    if (used + size > room) break;
    cut += char;
    used += size;
  }
  return cut + note + tail;
}
