/**
 * The reconciliation service: runs reconciliations one at a time (the admin API, the daily schedule), keeps every
 * report (gzipped JSON, insert-only in `reconcile_reports`), and exports the last run's metrics on /metrics.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { Binary, type Collection, type Db } from 'mongodb';
import type { Registry } from 'prom-client';
import { createLogger, errorMessage, type Logger } from '@yecai/common';
import type { AvroSerde, KafkaClient } from '@yecai/kafka';
import type { KingdeeClient } from '@yecai/kingdee';
import type { YonyouClient } from '@yecai/yonyou';
import type { ReconcileConfig } from './config';
import { createReconcileMetrics, type ReconcileMetrics } from './metrics';
import { reconcile } from './reconcile';
import type { ReconciliationReport } from './report';
import { nextDailyRun, periodsDue } from './schedule';

interface StoredReport {
  _id: string;
  period: string;
  generatedAt: Date;
  verdict: string;
  differences: number;
  /** Who asked: an admin token's name, or `schedule`. */
  by: string;
  body: Binary;
}

export interface ReportListing {
  period: string;
  generatedAt: string;
  verdict: string;
  differences: number;
  by: string;
}

export interface ReconcileServiceDeps {
  config: ReconcileConfig;
  db: Db;
  kafka: KafkaClient;
  serde: AvroSerde;
  /** The finance system's client: Kingdee or YonSuite, as the config names (`kingdee` / `yonyou`). */
  kingdee?: KingdeeClient | undefined;
  yonyou?: YonyouClient | undefined;
  metricsRegistry: Registry;
  logger?: Logger;
  now?: () => number;
}

export class ReconcileService {
  readonly reports: Collection<StoredReport>;
  private readonly metrics: ReconcileMetrics;
  private readonly logger: Logger;
  private readonly now: () => number;
  /** Runs are serialised: two at once would read the same consumer group and sweep the same mirror. */
  private queue: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: ReconcileServiceDeps) {
    this.reports = deps.db.collection<StoredReport>('reconcile_reports');
    this.metrics = createReconcileMetrics(deps.metricsRegistry);
    this.logger = deps.logger ?? createLogger('reconcile');
    this.now = deps.now ?? Date.now;
  }

  /** Reconciles `period` after any run in progress, keeps the report and returns it. */
  run(
    period: string,
    by: string,
    options: { flows?: string[] | undefined; org?: string | undefined } = {},
  ): Promise<ReconciliationReport> {
    const { config } = this.deps;
    const next = this.queue.then(async () => {
      const report = await reconcile(
        {
          db: this.deps.db,
          kafka: this.deps.kafka,
          serde: this.deps.serde,
          kingdee: this.deps.kingdee,
          yonyou: this.deps.yonyou,
          metrics: this.metrics,
        },
        {
          period,
          flows: options.flows ?? config.flows,
          org: options.org,
          tolerance: config.tolerance,
          threshold: config.threshold,
          groupId: config.groupId,
        },
      );
      await this.reports.insertOne({
        _id: `${period}|${report.generatedAt}|${by}`,
        period,
        generatedAt: new Date(report.generatedAt),
        verdict: report.verdict,
        differences: report.differences.length,
        by,
        body: new Binary(gzipSync(JSON.stringify(report))),
      });
      this.logger.info(
        { period, verdict: report.verdict, differences: report.differences.length, durationMs: report.durationMs, by },
        'reconciliation done',
      );
      return report;
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  async list(limit = 50): Promise<ReportListing[]> {
    const rows = await this.reports
      .find({}, { projection: { body: 0 } })
      .sort({ generatedAt: -1 })
      .limit(limit)
      .toArray();
    return rows.map((row) => ({
      period: row.period,
      generatedAt: row.generatedAt.toISOString(),
      verdict: row.verdict,
      differences: row.differences,
      by: row.by,
    }));
  }

  /** The latest report of `period`, or null. */
  async latest(period: string): Promise<ReconciliationReport | null> {
    const [row] = await this.reports.find({ period }).sort({ generatedAt: -1 }).limit(1).toArray();
    return row ? (JSON.parse(gunzipSync(Buffer.from(row.body.buffer)).toString('utf8')) as ReconciliationReport) : null;
  }

  /** Starts the daily schedule (when configured): the due periods, one after the other, then the next day. */
  startSchedule(): void {
    const { dailyAt, previousPeriodUntilDay } = this.deps.config.schedule;
    if (!dailyAt) return;
    const arm = () => {
      const at = nextDailyRun(this.now(), dailyAt);
      this.timer = setTimeout(() => {
        void (async () => {
          for (const period of periodsDue(this.now(), previousPeriodUntilDay)) {
            await this.run(period, 'schedule').catch((error: unknown) =>
              this.logger.error({ period, err: errorMessage(error) }, 'scheduled reconciliation failed'),
            );
          }
          arm();
        })();
      }, at - this.now());
      this.timer.unref();
      this.logger.info({ nextRunAt: new Date(at).toISOString() }, 'daily reconciliation scheduled');
    };
    arm();
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    await this.queue;
  }
}
