/**
 * Every document map, checked against the canonical Avro definitions and the form registry when this module loads:
 * a bad map stops the process that imports it, naming the form, field and path.
 */
// The definitions module only: the package root also loads the Kafka client, which the emulator (importing the
// registry) should not carry.
import { CANONICAL_DEFINITIONS } from '@yecai/contracts/src/definitions';
import type { DocumentMap } from '../form-map';
import { checkDocumentMap } from '../form-map-check';
import { FEE_SETTLEMENT, FIRST_LEG_SHIPMENT } from './cross-border';
import { MASTER_DATA_MAPS } from './master-data';
import { RECEIPT, RECEIVABLE } from './receivables';
import { SALES_ORDER } from './sales-order';
import { STOCK_BILL_MAPS } from './stock-bills';

/** Checks maps against the canonical definitions; returns them by document type. */
export function compileDocumentMaps(maps: DocumentMap[], definitions: { documentType: string; schema: Record<string, unknown> }[] = CANONICAL_DEFINITIONS): Map<string, DocumentMap> {
  const byType = new Map<string, DocumentMap>();
  for (const map of maps) {
    const definition = definitions.find((candidate) => candidate.documentType === map.documentType);
    if (!definition) throw new Error(`表单映射 form map for ${map.documentType}: 没有这个标准单据类型 (no canonical definition of that document type)`);
    if (byType.has(map.documentType)) throw new Error(`表单映射 form map for ${map.documentType}: 重复 (mapped twice)`);
    checkDocumentMap(map, definition.schema);
    byType.set(map.documentType, map);
  }
  return byType;
}

export const DOCUMENT_MAPS: ReadonlyMap<string, DocumentMap> = compileDocumentMaps([...STOCK_BILL_MAPS, SALES_ORDER, FIRST_LEG_SHIPMENT, FEE_SETTLEMENT, RECEIVABLE, RECEIPT, ...MASTER_DATA_MAPS]);

/** The map of a canonical document type; throws for a type no form map covers. */
export function documentMap(documentType: string): DocumentMap {
  const map = DOCUMENT_MAPS.get(documentType);
  if (!map) throw new Error(`no Kingdee form map for canonical ${documentType} (libs/kingdee/src/forms/maps)`);
  return map;
}
