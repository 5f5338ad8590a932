/** What mapping one raw document gives: the outcomes, and the parks (with their bilingual reasons) that end a rule. */
import type { Decimal } from '@yecai/common';
import type { CanonicalDocumentType, CanonicalEventOf } from '@yecai/contracts';
import { ENTITY_LABELS, parseReverseKey, SYSTEM_LABELS, systemLabel, type EntityName } from '@yecai/master-data';

/** One raw document as read from a raw topic (RawDocument envelope + where it was read). */
export interface RawInput {
  sourceSystem: string;
  account: string;
  documentType: string;
  sourceId: string;
  sourceModifiedAt: number;
  contentHash: string;
  payload: string;
  rawTopic: string;
  rawPartition: number;
  rawOffset: number;
}

export interface MissingMasterData {
  entity: string;
  key: string;
}

export type ParkCode =
  | 'MALFORMED_PAYLOAD'
  | 'UNKNOWN_DOCUMENT_TYPE'
  | 'MISSING_MASTER_DATA'
  | 'EXPRESSION_FAILED'
  | 'REQUIRED_VALUE_MISSING'
  | 'INVALID_VALUE'
  | 'LOT_REQUIRED';

/** A source code mapped by the same-code fallback: no `<source>/<code>` mapping, the pulled `kingdee/<code>` record used. */
export interface SameCodeUse {
  entity: EntityName;
  code: string;
}

/** One canonical event, typed by its document type; decimals are decimal.js values, as the Avro encoder takes them. */
export type MappedOutcome = {
  [T in CanonicalDocumentType]: { kind: 'mapped'; flow: string; targetDocumentType: T; key: string; value: CanonicalEventOf<T, Decimal>; sameCode?: SameCodeUse[] };
}[CanonicalDocumentType];

export type MappingOutcome =
  | MappedOutcome
  | { kind: 'filtered'; flow: string; filter: string }
  | {
      kind: 'parked';
      flow: string | null;
      code: ParkCode;
      level: 1 | 2;
      reasonZh: string;
      reasonEn: string;
      field?: string;
      missing?: MissingMasterData[];
    };

export type Parked = Extract<MappingOutcome, { kind: 'parked' }>;

/** Thrown inside the engine to stop mapping one document for one rule; becomes a `parked` outcome. */
export class ParkSignal extends Error {
  constructor(readonly parked: Parked) {
    super(parked.reasonEn);
  }
}

export function park(flow: string | null, code: ParkCode, zh: string, en: string, extra: Partial<Parked> = {}): ParkSignal {
  return new ParkSignal({ kind: 'parked', flow, code, level: 1, reasonZh: `${zh} (${en})`, reasonEn: en, ...extra });
}
/** A field whose rule gave no value where its rule (onNoValue: park) or policy says to park. */
export function noValue(flow: string, where: string, label: string, zhDetail: string, enDetail = ''): ParkSignal {
  return park(
    flow,
    'REQUIRED_VALUE_MISSING',
    `规则 ${flow} 字段 ${where}（${label}）没有取到值${zhDetail}，规则规定无值时挂起`,
    `rule ${flow}: field ${where} (${label}) gave no value${enDetail}, and the rule parks when there is none (onNoValue: park)`,
    { field: where },
  );
}

/**
 * A document waiting on master data, naming what is missing. `targets` are the systems the rule's events are for
 * (rule-schema.ts ruleTargetSystems): the mapping a person must add is to their codes (仓库 100004 没有用友仓库映射).
 * A reverse lookup (flows out of Kingdee) names Kingdee's code and the OMS whose record should hold it.
 */
export function missingMasterData(flow: string, missing: MissingMasterData[], targets: readonly string[]): ParkSignal {
  const target = { zh: targets.map((system) => systemLabel(system).zh).join('/'), en: targets.map((system) => systemLabel(system).en).join('/') };
  const describe = (m: MissingMasterData) => {
    const label = ENTITY_LABELS[m.entity as keyof typeof ENTITY_LABELS];
    const reverse = parseReverseKey(m.key);
    if (reverse) {
      const kingdee = SYSTEM_LABELS.kingdee;
      const oms = systemLabel(reverse.system);
      return {
        zh: `${kingdee.zh}${label.zh} ${reverse.value} 没有（或有多个）${oms.zh}${label.zh}映射（${reverse.field}）`,
        en: `${kingdee.en} ${label.en} ${reverse.value} has no (or more than one) ${oms.en} ${label.en} mapping (${reverse.field})`,
      };
    }
    const code = m.key.includes('/') ? m.key.slice(m.key.indexOf('/') + 1) : m.key;
    return { zh: `${label.zh} ${code} 没有${target.zh}${label.zh}映射`, en: `${label.en} ${code} has no ${target.en} ${label.en} mapping` };
  };
  const all = missing.map(describe);
  // Level 1 like any data a person must fix (docs/flows.md §3); unlike other parks it is re-processed by itself once
  // the mapping is added.
  return park(flow, 'MISSING_MASTER_DATA', all.map((d) => d.zh).join('；'), all.map((d) => d.en).join('; '), {
    missing,
    field: missing.map((m) => m.entity).join(','),
  });
}
