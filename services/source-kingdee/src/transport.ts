/**
 * 金蝶 transport: ExecuteBillQuery through libs/kingdee's one client (auth, signing, sessions, limits). A page is a
 * page of bills: the bills' FIDs in (FModifyDate, FID) order with StartRow/Limit, then those bills' entry rows,
 * grouped by FID into one record each. Bills yecai wrote itself (origin marker) are skipped, each one logged.
 * No retries or sleeps here (the client makes one attempt): the kit does those for every source alike.
 */
import { Decimal, YecaiError, formatBeijingTime, type Logger } from '@yecai/common';
import {
  SourceThrottledError,
  SourceUnavailableError,
  type CheckResult,
  type PageRequest,
  type PageResult,
  type SourceTransport,
  type StreamDefinition,
} from '@yecai/connector-kit';
import { KingdeeClient, KingdeeError, type QueryRow, type ResolvedKingdeeConnection } from '@yecai/kingdee';
import { formQueryShape, type FormQueryShape } from './forms';

/** Kingdee answers at most 10,000 rows per call (kingdee-webapi.md, Limit). */
const MAX_ROWS = 10_000;
const SECOND = 1000;

/** A Kingdee bill the source did not publish because yecai wrote it (echo-loop guard). */
export interface EchoSkip {
  stream: string;
  formId: string;
  fid: string;
  billNo: string;
  modifyDate: string;
  originField: string;
  origin: string;
}

export interface KingdeeTransportOptions {
  connection: ResolvedKingdeeConnection;
  throttleBackoffMs: number;
  logger: Logger;
}

/** A cell as JSON-safe text: decimals exact, empty references as ''. */
const cellValue = (value: QueryRow[string] | undefined): unknown =>
  value instanceof Decimal ? value.toString() : value;

/** FModifyDate as Kingdee writes it (2026-12-07T13:25:34.123, server time = Beijing) → yyyy-MM-dd HH:mm:ss. */
export function normaliseModifyDate(value: unknown): unknown {
  return typeof value === 'string' ? value.replace('T', ' ').replace(/\.\d+$/, '') : value;
}

export class KingdeeTransport implements SourceTransport {
  readonly system = 'kingdee';
  private readonly client: KingdeeClient;
  private readonly shapes = new Map<string, FormQueryShape>();

  constructor(private readonly options: KingdeeTransportOptions) {
    this.client = new KingdeeClient(options.connection, { logger: options.logger });
  }

  async fetchPage(stream: StreamDefinition, request: PageRequest): Promise<PageResult> {
    if (request.kind !== 'window')
      throw new YecaiError(`${stream.name}: 金蝶 has no token cursor`, {
        code: 'VALIDATION',
        level: 1,
        retriable: false,
        field: 'cursor',
      });
    const shape = this.shape(stream.endpoint);
    // Both bounds at second resolution; the upper one exclusive of the next second, so 12:00:59.500 is inside.
    const from = formatBeijingTime(Math.floor(request.fromMs / SECOND) * SECOND);
    const until = formatBeijingTime(Math.floor(request.toMs / SECOND) * SECOND + SECOND);
    const filter = `(${String(stream.params.condition ?? '')}) and FModifyDate >= '${from}' and FModifyDate < '${until}'`;
    const order = `FModifyDate ASC, ${shape.idKey} ASC`;
    return this.mapped(async () => {
      const ids = await this.client.executeBillQuery({
        formId: shape.formId,
        fieldKeys: [shape.idKey],
        filter,
        orderBy: order,
        startRow: (request.pageIndex - 1) * request.pageSize,
        limit: request.pageSize,
      });
      // The kit pages backwards and needs the page count from page 1: count the window's bills there.
      const total =
        request.pageIndex === 1 && ids.length === request.pageSize
          ? (
              await this.client.queryAll(
                { formId: shape.formId, fieldKeys: [shape.idKey], filter, orderBy: order },
                MAX_ROWS,
              )
            ).length
          : (request.pageIndex - 1) * request.pageSize + ids.length;
      const records =
        ids.length === 0
          ? []
          : await this.documents(
              shape,
              ids.map((row) => String(cellValue(row[shape.idKey]))),
            );
      return {
        records: records.filter((record) => !this.isOurs(stream, shape, record)),
        hasNext: ids.length === request.pageSize,
        ...(request.pageIndex === 1 ? { pageCount: Math.max(1, Math.ceil(total / request.pageSize)) } : {}),
      };
    });
  }

  async check(): Promise<CheckResult> {
    try {
      const result = await this.client.check();
      return {
        ok: true,
        message: `金蝶账套可用，${result.organisations} 个组织 / Kingdee data centre works, ${result.organisations} organisations`,
      };
    } catch (error) {
      if (error instanceof YecaiError) return { ok: false, code: error.code, message: error.userMessage };
      return { ok: false, code: 'UNKNOWN', message: `金蝶连接失败 / cannot reach Kingdee: ${String(error)}` };
    }
  }

  private shape(formId: string): FormQueryShape {
    let shape = this.shapes.get(formId);
    if (!shape) this.shapes.set(formId, (shape = formQueryShape(formId)));
    return shape;
  }

  /** The bills with these ids, each one record with its entries (rows grouped by id, in entry-id order). */
  private async documents(shape: FormQueryShape, ids: string[]): Promise<Record<string, unknown>[]> {
    const keys = [...shape.headerKeys, ...shape.entryKeys];
    const rows = await this.client.queryAll(
      {
        formId: shape.formId,
        fieldKeys: keys,
        filter: `${shape.idKey} in (${ids.join(',')})`,
        orderBy: [`${shape.idKey} ASC`, ...(shape.entryIdKey ? [`${shape.entryIdKey} ASC`] : [])].join(', '),
      },
      MAX_ROWS,
    );
    const byId = new Map<string, Record<string, unknown>>();
    for (const row of rows) {
      const id = String(cellValue(row[shape.idKey]));
      let record = byId.get(id);
      if (!record) {
        record = Object.fromEntries(shape.headerKeys.map((key) => [key, cellValue(row[key])]));
        record.FModifyDate = normaliseModifyDate(record.FModifyDate);
        if (shape.entryIdKey) record.entries = [];
        byId.set(id, record);
      }
      if (shape.entryIdKey)
        (record.entries as unknown[]).push(
          Object.fromEntries(shape.entryKeys.map((key) => [key, cellValue(row[key])])),
        );
    }
    if (shape.subEntry) await this.nestSubEntries(shape, shape.subEntry, ids, byId);
    // In the page's (FModifyDate, id) order.
    return ids.flatMap((id) => {
      const record = byId.get(id);
      return record ? [record] : [];
    });
  }

  /**
   * The bills' sub-entry rows (组装拆卸单 子件), each nested in its entry row under the sub-entry key, in sub-entry id
   * order. Their own query: asked with the entry's fields, Kingdee answers one row per sub-entry row and an entry
   * without any would vanish.
   */
  private async nestSubEntries(
    shape: FormQueryShape,
    sub: NonNullable<FormQueryShape['subEntry']>,
    ids: string[],
    byId: Map<string, Record<string, unknown>>,
  ): Promise<void> {
    const rows = await this.client.queryAll(
      {
        formId: shape.formId,
        fieldKeys: [shape.idKey, ...sub.keys],
        filter: `${shape.idKey} in (${ids.join(',')})`,
        orderBy: `${shape.idKey} ASC, ${shape.entryIdKey!} ASC, ${sub.idKey} ASC`,
      },
      MAX_ROWS,
    );
    const entryOf = new Map<string, Record<string, unknown>>();
    for (const record of byId.values())
      for (const entry of record.entries as Record<string, unknown>[]) {
        entry[sub.key] = [];
        entryOf.set(`${String(record[shape.idKey])}/${String(entry[shape.entryIdKey!])}`, entry);
      }
    for (const row of rows) {
      const entry = entryOf.get(`${String(cellValue(row[shape.idKey]))}/${String(cellValue(row[shape.entryIdKey!]))}`);
      // A sub-row whose entry is not in the first answer was added in between: the bill's next version carries it.
      if (entry) (entry[sub.key] as unknown[]).push(Object.fromEntries(sub.keys.slice(1).map((key) => [key, cellValue(row[key])])));
    }
  }

  /** Echo-loop guard: a bill carrying our origin marker came from an OMS through yecai; reading it back would loop. */
  private isOurs(stream: StreamDefinition, shape: FormQueryShape, record: Record<string, unknown>): boolean {
    const marker = shape.originKey ? String(record[shape.originKey] ?? '').trim() : '';
    if (!marker) return false;
    this.reportEchoSkipped({
      stream: stream.name,
      formId: shape.formId,
      fid: String(record.FID),
      billNo: String(record.FBillNo ?? ''),
      modifyDate: String(record.FModifyDate ?? ''),
      originField: shape.originKey!,
      origin: marker,
    });
    return true;
  }

  /** One line per skipped bill, naming it (FID, FBillNo) and the marker that made it ours. */
  reportEchoSkipped(skip: EchoSkip): void {
    this.options.logger.info(
      skip,
      '金蝶单据由业财写入，已跳过 kingdee bill written by yecai skipped (echo-loop guard)',
    );
  }

  /** Kingdee errors → the kit's classes: throttling waits, transient failures retry, the rest stop the stream. */
  private async mapped<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof KingdeeError)) throw error;
      if (error.msgCode === 14)
        throw new SourceThrottledError(error.message, this.options.throttleBackoffMs, {
          code: 'KINGDEE_THROTTLED',
          userMessage: '金蝶调用限制，稍后自动重试 / Kingdee throttled the call, retrying',
        });
      if (error.retriable)
        throw new SourceUnavailableError(error.message, {
          code: error.code,
          cause: error,
          userMessage: error.userMessage,
        });
      throw error;
    }
  }
}
