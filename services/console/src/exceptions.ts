/**
 * One exception queue over four admin lists: documents parked at mapping (mapping /parked, OPEN), parked at the sink
 * (sink /admin/documents state PARKED), pending level-2 retries (state REJECTED) and filtered by a rule (mapping
 * /filtered). Paged server-side: filters the services understand (flow, reason code, the query box `q`) go to them;
 * date and level are applied here while reading their pages in order, so a page never holds more than it says.
 */
import { z } from 'zod';
import { AdminClient, UpstreamError, queryOf } from './upstream';

import { EXCEPTION_KINDS, type ExceptionItem, type ExceptionKind } from './exception-shapes';
export { EXCEPTION_KINDS, KIND_LABELS, type ExceptionItem, type ExceptionKind } from './exception-shapes';

export const ExceptionQuerySchema = z.object({
  kind: z.enum(EXCEPTION_KINDS).optional(),
  flow: z
    .string()
    .regex(/^[a-z_/]+$/, 'flow is a document type or rule, e.g. sales_outstock or jushuitan/sales_outstock')
    .optional(),
  level: z.coerce.number().int().min(1).max(3).optional(),
  code: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]+$/, 'code is a reason code, e.g. WAREHOUSE_NOT_MAPPED')
    .optional(),
  from: z.iso.date('from is a date, YYYY-MM-DD').optional(),
  to: z.iso.date('to is a date, YYYY-MM-DD').optional(),
  q: z.string().trim().max(200).optional(),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(20),
});
export type ExceptionQuery = z.infer<typeof ExceptionQuerySchema>;

export interface ExceptionPage {
  items: ExceptionItem[];
  page: number;
  pageSize: number;
  hasMore: boolean;
  /** Set when the scan limit stopped the search before the page was full: narrow the filters. */
  truncated?: string;
}

/** Rows read from the services for one page when filtering here (date, level): beyond it, narrow the filters. */
export const SCAN_LIMIT = 20_000;
const UPSTREAM_PAGE = { 'mapping-parked': 1000, 'sink-parked': 500, pending: 500, filtered: 1000 } as const;

interface ParkedRow {
  _id: string;
  stage: string;
  flow: string | null;
  key: string | null;
  level: number;
  code: string;
  reasonZh: string;
  reasonEn: string;
  field?: string;
  parkedAt: string;
  status: string;
}
interface LedgerRow {
  _id: string;
  documentType: string;
  documentKey: string;
  billNo: string;
  state: string;
  problem: { level: number; code: string; message: string; field?: string | null } | null;
  updatedAt: string;
}
interface FilteredRow {
  _id: string;
  flow: string;
  key: string;
  filter: string;
  description: string;
  filteredAt: string;
}

export class ExceptionQueue {
  constructor(
    private readonly sink: AdminClient,
    private readonly mapping: AdminClient,
  ) {}

  /** One kind's rows from `skip`, at most `limit`, with the filters the service applies itself. */
  async fetch(
    kind: ExceptionKind,
    query: Pick<ExceptionQuery, 'flow' | 'code' | 'q'>,
    skip: number,
    limit: number,
  ): Promise<ExceptionItem[]> {
    switch (kind) {
      case 'mapping-parked': {
        const { documents } = await this.mapping.call<{ documents: ParkedRow[] }>(
          'GET',
          `/parked${queryOf({ status: 'OPEN', flow: query.flow, code: query.code, q: query.q, limit, skip })}`,
        );
        return documents.map(fromParked);
      }
      case 'sink-parked':
      case 'pending': {
        const state = kind === 'pending' ? 'REJECTED' : 'PARKED';
        const { documents } = await this.sink.call<{ documents: LedgerRow[] }>(
          'GET',
          `/admin/documents${queryOf({ state, flow: query.flow, code: query.code, q: query.q, limit, skip })}`,
        );
        return documents.map((row) => fromLedger(kind, row));
      }
      case 'filtered': {
        const { documents } = await this.mapping.call<{ documents: FilteredRow[] }>(
          'GET',
          `/filtered${queryOf({ flow: query.flow, filter: query.code, q: query.q, limit, skip })}`,
        );
        return documents.map(fromFiltered);
      }
    }
  }

  /** Every row the filters match, kind after kind in the queue's order, read in the services' page size. */
  async *scan(query: Omit<ExceptionQuery, 'page' | 'pageSize'>): AsyncGenerator<ExceptionItem> {
    const predicate = localFilter(query);
    for (const kind of kindsOf(query)) {
      const size = UPSTREAM_PAGE[kind];
      for (let offset = 0; ; offset += size) {
        const rows = await this.fetch(kind, query, offset, size);
        for (const row of rows) if (!predicate || predicate(row)) yield row;
        if (rows.length < size) break;
      }
    }
  }

  async page(query: ExceptionQuery): Promise<ExceptionPage> {
    const kinds = kindsOf(query);
    const skip = (query.page - 1) * query.pageSize;
    const wanted = query.pageSize + 1;
    const predicate = localFilter(query);
    // One kind and nothing to filter here (the query box goes to the service): the service pages for us, however deep.
    if (kinds.length === 1 && !predicate) {
      const items = await this.fetch(kinds[0]!, query, skip, Math.min(wanted, UPSTREAM_PAGE[kinds[0]!]));
      return {
        items: items.slice(0, query.pageSize),
        page: query.page,
        pageSize: query.pageSize,
        hasMore: items.length > query.pageSize,
      };
    }
    // Otherwise read the kinds in order (mapping-parked, sink-parked, pending, filtered), page by page.
    const matches: ExceptionItem[] = [];
    let seen = 0;
    let scanned = 0;
    for (const kind of kinds) {
      // Without a local filter only skip + wanted rows can matter; with one, read ahead in larger pages.
      const size = Math.min(UPSTREAM_PAGE[kind], Math.max(100, (skip + wanted) * (predicate ? 5 : 1)));
      for (let offset = 0; matches.length < wanted; offset += size) {
        if (scanned >= SCAN_LIMIT) {
          return {
            items: matches.slice(0, query.pageSize),
            page: query.page,
            pageSize: query.pageSize,
            hasMore: true,
            truncated: `已读取 ${scanned} 条仍未填满本页，请缩小筛选条件 read ${scanned} rows without filling this page: narrow the filters (kind, flow, code)`,
          };
        }
        const rows = await this.fetch(kind, query, offset, size);
        scanned += rows.length;
        for (const row of rows) {
          if (predicate && !predicate(row)) continue;
          if (seen < skip) seen += 1;
          else if (matches.length < wanted) matches.push(row);
        }
        if (rows.length < size) break;
      }
      if (matches.length >= wanted) break;
    }
    return {
      items: matches.slice(0, query.pageSize),
      page: query.page,
      pageSize: query.pageSize,
      hasMore: matches.length > query.pageSize,
    };
  }

  /** Counts per kind for the overview, up to `cap` each (`capped` when there are more: the page shows 200+). */
  async counts(cap = 200): Promise<Record<ExceptionKind, { count: number; capped: boolean }>> {
    const entries = await Promise.all(
      EXCEPTION_KINDS.map(async (kind) => {
        let count = 0;
        const size = Math.min(UPSTREAM_PAGE[kind], cap + 1);
        for (let offset = 0; count <= cap; offset += size) {
          const rows = await this.fetch(kind, {}, offset, size);
          count += rows.length;
          if (rows.length < size) break;
        }
        return [kind, { count: Math.min(count, cap), capped: count > cap }] as const;
      }),
    );
    return Object.fromEntries(entries) as Record<ExceptionKind, { count: number; capped: boolean }>;
  }

  /** Source payload → raw → canonical → target requests and answers → ledger transitions, as far as each kind knows. */
  async trace(
    kind: ExceptionKind,
    id: string,
  ): Promise<{ kind: ExceptionKind; id: string; steps: { stage: string; title: string; data: unknown }[] }> {
    const steps: { stage: string; title: string; data: unknown }[] = [];
    if (kind === 'mapping-parked') {
      const parked = await this.mapping.call<
        ParkedRow & {
          raw: { payload?: unknown } | null;
          source: unknown;
          missing?: unknown;
          note?: string;
          by?: string;
          closedAt?: string;
        }
      >('GET', `/parked/${encodeURIComponent(id)}`);
      const { raw, ...entry } = parked;
      steps.push({ stage: 'source', title: '源单据 source payload', data: decodePayload(raw?.payload) });
      steps.push({ stage: 'raw', title: '原始消息 raw envelope', data: raw });
      steps.push({ stage: 'parked', title: '挂起原因 why it is parked', data: entry });
    } else if (kind === 'filtered') {
      const key = id.split('|')[1];
      const { documents } = await this.mapping.call<{ documents: (FilteredRow & Record<string, unknown>)[] }>(
        'GET',
        `/filtered${queryOf({ key, limit: 100 })}`,
      );
      const row = documents.find((document) => document._id === id);
      if (!row) throw new UpstreamError(404, `没有这条过滤记录 no filtered document ${id}`);
      steps.push({ stage: 'filtered', title: '过滤规则 the rule filter that left it out', data: row });
    } else {
      const trace = await this.sink.call<
        Record<string, unknown> & { document: unknown; canonical?: unknown; transitions?: unknown; target?: string }
      >('GET', `/admin/documents/${encodeURIComponent(id)}`);
      const target = trace.target ?? 'kingdee';
      steps.push({ stage: 'canonical', title: '标准单据 canonical event', data: trace.canonical ?? null });
      steps.push({
        stage: 'target',
        title: `${target} 请求与应答 requests and answers`,
        data: trace[`${target}Calls`] ?? [],
      });
      steps.push({ stage: 'ledger', title: '台账变更 ledger transitions', data: trace.transitions ?? [] });
      steps.push({ stage: 'document', title: '台账记录 ledger entry', data: trace.document });
    }
    return { kind, id, steps };
  }

  /** Where one source document is now: its parked entries at mapping (any status) and its ledger entries at the sink. */
  async find(key: string): Promise<{
    key: string;
    places: { stage: string; id: string; state: string; billNo: string | null; at: string; note: string | null }[];
  }> {
    const [parked, ledger] = await Promise.all([
      this.mapping.call<{ documents: (ParkedRow & { note?: string })[] }>(
        'GET',
        `/parked${queryOf({ key, limit: 100 })}`,
      ),
      this.sink.call<{ documents: LedgerRow[] }>('GET', `/admin/documents${queryOf({ key, limit: 100 })}`),
    ]);
    return {
      key,
      places: [
        ...parked.documents.map((row) => ({
          stage: 'mapping',
          id: row._id,
          state: row.status,
          billNo: null,
          at: iso(row.parkedAt),
          note: row.note ?? `${row.reasonZh} ${row.reasonEn}`,
        })),
        ...ledger.documents.map((row) => ({
          stage: 'sink',
          id: row._id,
          state: row.state,
          billNo: row.billNo,
          at: iso(row.updatedAt),
          note: row.problem?.message ?? null,
        })),
      ],
    };
  }

  /** Re-push or skip one document through the service that holds it. */
  async act(action: 'repush' | 'skip', kind: ExceptionKind, id: string, reason: string): Promise<unknown> {
    const path = encodeURIComponent(id);
    switch (kind) {
      case 'mapping-parked':
        return this.mapping.call('POST', `/parked/${path}/${action}`, { note: reason });
      case 'sink-parked':
      case 'pending':
        return this.sink.call(
          'POST',
          `/admin/documents/${path}/${action}`,
          action === 'skip' ? { reason } : { note: reason },
        );
      case 'filtered':
        throw new UpstreamError(
          409,
          `已过滤的单据由规则排除，不能${action === 'repush' ? '重推' : '跳过'}；请修改规则 filtered documents are left out by a rule: change the rule, then replay`,
        );
    }
  }
}

/** The kinds a query reads: the one asked for; without one, every kind (filtered ones have no level). */
function kindsOf(query: Pick<ExceptionQuery, 'kind' | 'level'>): ExceptionKind[] {
  if (query.kind) return [query.kind];
  return query.level !== undefined ? EXCEPTION_KINDS.filter((kind) => kind !== 'filtered') : [...EXCEPTION_KINDS];
}

function localFilter(query: Omit<ExceptionQuery, 'page' | 'pageSize'>): ((item: ExceptionItem) => boolean) | undefined {
  const tests: ((item: ExceptionItem) => boolean)[] = [];
  if (query.level !== undefined) tests.push((item) => item.level === query.level);
  if (query.from) tests.push((item) => item.at.slice(0, 10) >= query.from!);
  if (query.to) tests.push((item) => item.at.slice(0, 10) <= query.to!);
  return tests.length === 0 ? undefined : (item) => tests.every((test) => test(item));
}

function iso(value: string | Date): string {
  return new Date(value).toISOString();
}

function fromParked(row: ParkedRow): ExceptionItem {
  return {
    kind: 'mapping-parked',
    id: row._id,
    flow: row.flow,
    level: row.level,
    code: row.code,
    reasonZh: row.reasonZh,
    reasonEn: row.reasonEn,
    key: row.key,
    billNo: null,
    field: row.field ?? null,
    at: iso(row.parkedAt),
    status: row.status,
  };
}

function fromLedger(kind: 'sink-parked' | 'pending', row: LedgerRow): ExceptionItem {
  return {
    kind,
    id: row._id,
    flow: row.documentType,
    level: row.problem?.level ?? (kind === 'pending' ? 2 : 1),
    code: row.problem?.code ?? null,
    reasonZh: row.problem?.message ?? '',
    reasonEn: row.problem
      ? `${kind === 'pending' ? 'waiting for retry' : 'parked by the target'}: ${row.problem.code}`
      : '',
    key: row.documentKey,
    billNo: row.billNo,
    field: row.problem?.field ?? null,
    at: iso(row.updatedAt),
    status: row.state,
  };
}

function fromFiltered(row: FilteredRow): ExceptionItem {
  return {
    kind: 'filtered',
    id: row._id,
    flow: row.flow,
    level: null,
    code: row.filter,
    reasonZh: row.description,
    reasonEn: `left out by the rule filter ${row.filter}`,
    key: row.key,
    billNo: null,
    field: null,
    at: iso(row.filteredAt),
    status: 'FILTERED',
  };
}

/** A raw payload is stored as text (JSON) or bytes: show it as the object it encodes when it does. */
function decodePayload(payload: unknown): unknown {
  if (typeof payload !== 'string') return payload ?? null;
  try {
    return JSON.parse(payload);
  } catch {
    return payload;
  }
}
