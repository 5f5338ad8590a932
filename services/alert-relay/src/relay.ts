import express, { type Express } from 'express';
import { Counter, type Registry } from 'prom-client';
import { createAdminAuth, errorMessage, parseWith, YecaiError, type AdminToken, type Logger } from '@yecai/common';
import type { ResolvedRobot } from './config';
import { renderNotification, WebhookPayloadSchema } from './render';
import { Robot, type RobotOptions } from './robots';

export interface AlertRelayOptions extends RobotOptions {
  robots: ResolvedRobot[];
  receiverTokens: readonly AdminToken[];
  registry: Registry;
  logger: Logger;
}

export interface Delivery {
  robot: string;
  kind: ResolvedRobot['kind'];
  ok: boolean;
  error?: string;
}

/**
 * Alertmanager → robots. One notification (a group of alerts) becomes one message per robot; the webhook answers
 * 200 when every robot took it and 502 otherwise, so Alertmanager sends it again later.
 */
export class AlertRelay {
  private readonly robots: Robot[];
  private readonly notifications: Counter<'channel' | 'kind' | 'outcome'>;
  private readonly robotErrors: Counter<'channel' | 'code'>;
  private readonly retries: Counter<'channel'>;

  constructor(private readonly options: AlertRelayOptions) {
    const { registry } = options;
    this.notifications = new Counter({
      name: 'yecai_alert_relay_notifications_total',
      help: 'Notifications per robot (channel = the robot name from the config, kind = dingtalk|wecom) by outcome (delivered, failed)',
      labelNames: ['channel', 'kind', 'outcome'],
      registers: [registry],
    });
    this.robotErrors = new Counter({
      name: 'yecai_alert_relay_robot_errors_total',
      help: 'Failed deliveries per robot by error code (e.g. DINGTALK_310000, WECOM_45009, ROBOT_HTTP_5XX)',
      labelNames: ['channel', 'code'],
      registers: [registry],
    });
    this.retries = new Counter({ name: 'yecai_alert_relay_retries_total', help: 'Retried robot calls (5xx or network)', labelNames: ['channel'], registers: [registry] });
    this.robots = options.robots.map(
      (config) =>
        new Robot(config, {
          ...options,
          onRetry: (robot, error) => {
            this.retries.inc({ channel: robot.name });
            options.logger.warn({ robot: robot.name, err: errorMessage(error) }, 'robot call failed, retrying');
            options.onRetry?.(robot, error);
          },
        }),
    );
    for (const robot of this.robots) {
      for (const outcome of ['delivered', 'failed']) this.notifications.inc({ channel: robot.name, kind: robot.kind, outcome }, 0);
    }
  }

  /** Delivers one Alertmanager notification body to every robot (in parallel: one slow robot does not hold the other). */
  async deliver(body: unknown): Promise<Delivery[]> {
    const payload = parseWith(WebhookPayloadSchema, body, 'Alertmanager webhook body');
    const message = renderNotification(payload);
    const flow = payload.commonLabels.flow ?? payload.commonLabels.form;
    return Promise.all(
      this.robots.map(async (robot): Promise<Delivery> => {
        try {
          await robot.send(message, flow);
          this.notifications.inc({ channel: robot.name, kind: robot.kind, outcome: 'delivered' });
          this.options.logger.info({ robot: robot.name, status: payload.status, alertname: payload.commonLabels.alertname, alerts: payload.alerts.length }, 'notification delivered');
          return { robot: robot.name, kind: robot.kind, ok: true };
        } catch (error) {
          this.notifications.inc({ channel: robot.name, kind: robot.kind, outcome: 'failed' });
          this.robotErrors.inc({ channel: robot.name, code: error instanceof YecaiError ? error.code : 'UNKNOWN' });
          this.options.logger.error({ robot: robot.name, err: errorMessage(error) }, 'notification not delivered');
          return { robot: robot.name, kind: robot.kind, ok: false, error: errorMessage(error) };
        }
      }),
    );
  }

  /** `POST /alerts`: the webhook Alertmanager calls, behind the receiver's bearer token. */
  mount(app: Express): void {
    const auth = createAdminAuth({ tokens: this.options.receiverTokens, logger: this.options.logger });
    app.post('/alerts', auth.need('operator'), express.json({ limit: '2mb' }), async (req, res) => {
      let deliveries: Delivery[];
      try {
        deliveries = await this.deliver(req.body);
      } catch (error) {
        const field = error instanceof YecaiError ? error.field : undefined;
        res.status(400).json({ error: `告警内容无效 invalid Alertmanager notification: ${errorMessage(error)}`, field });
        return;
      }
      const failed = deliveries.filter((delivery) => !delivery.ok);
      res.status(failed.length ? 502 : 200).json({ deliveries });
    });
  }
}
