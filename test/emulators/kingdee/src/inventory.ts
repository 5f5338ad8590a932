import { Decimal } from '@yecai/common';
import type { CellValue } from './filter';
import type { BaseRecord, KingdeeState, OperationError } from './state';

/**
 * 即时库存 `STK_Inventory` as ExecuteBillQuery sees it: one row per (stock org, material, warehouse, lot) the
 * emulator holds, quantities after every audited bill. Field keys follow the real form (finance-flows §2.2):
 * FStockOrgId, FMaterialId, FStockId, FLot (.FNumber), FBaseQty, FQty, FBaseAVBQty, FAvbQty, FBaseLockQty, FLockQty,
 * FBaseUnitId, FStockUnitId, FOwnerTypeId, FOwnerId, FKeeperTypeId, FKeeperId, FStockStatusId. Owner and keeper are
 * the stock org; every quantity is available (no locks); the status is 可用 (KCZT01_SYS).
 */
export const INVENTORY_FORM_ID = 'STK_Inventory';

export interface InventoryRow {
  id: number;
  org: BaseRecord;
  material: string;
  stock: string;
  lot: string;
  qty: Decimal;
}

export function isInventoryForm(formId: string): boolean {
  return formId.toLowerCase() === INVENTORY_FORM_ID.toLowerCase();
}

export function inventoryRows(state: KingdeeState): InventoryRow[] {
  const rows: InventoryRow[] = [];
  let id = 100001;
  for (const [key, qty] of state.inventory) {
    const [orgId, material, stock, lot] = key.split('|') as [string, string, string, string];
    const org = state.orgById(Number(orgId));
    if (org) rows.push({ id: id++, org, material, stock, lot, qty });
  }
  return rows;
}

/** Resolves one field key of STK_Inventory to a cell getter; unknown keys throw the real 元数据 error. */
export function resolveInventoryKey(
  state: KingdeeState,
  rawKey: string,
  unknownField: (key: string) => OperationError,
): (row: InventoryRow) => CellValue {
  const key = rawKey.trim();
  const [fieldRaw, propertyRaw, ...rest] = key.split('.');
  const field = fieldRaw!.toLowerCase();
  const property = propertyRaw?.toLowerCase();
  if (rest.length > 0 || (property !== undefined && property !== 'fnumber' && property !== 'fname')) throw unknownField(key);
  const reference = (get: (row: InventoryRow) => BaseRecord | undefined) => (row: InventoryRow): CellValue => {
    const record = get(row);
    if (property === undefined) return record?.id ?? 0;
    return record ? (property === 'fnumber' ? record.number : record.name) : null;
  };
  const inOrg = (formId: 'BD_MATERIAL' | 'BD_STOCK', number: (row: InventoryRow) => string) => (row: InventoryRow) =>
    state.base.find((record) => record.formId === formId && record.number === number(row) && record.useOrgId === row.org.id);
  const unit = (row: InventoryRow): BaseRecord | undefined => {
    const ref = inOrg('BD_MATERIAL', (r) => r.material)(row)?.fields.FBaseUnitId as { id: number } | null | undefined;
    return ref ? state.base.find((record) => record.formId === 'BD_UNIT' && record.id === ref.id) : undefined;
  };
  const plain = (get: (row: InventoryRow) => CellValue) => {
    if (property !== undefined) throw unknownField(key);
    return get;
  };
  const zero = () => new Decimal(0);
  switch (field) {
    case 'fid':
      return plain((row) => row.id);
    case 'fstockorgid':
    case 'fownerid':
    case 'fkeeperid':
      return reference((row) => row.org);
    case 'fmaterialid':
      return reference(inOrg('BD_MATERIAL', (row) => row.material));
    case 'fstockid':
      return reference(inOrg('BD_STOCK', (row) => row.stock));
    case 'fbaseunitid':
    case 'fstockunitid':
      return reference(unit);
    case 'flot':
      if (property === 'fname') throw unknownField(key);
      // The lot is a flex reference: alone it is the lot master's id, which the emulator does not keep (0).
      return property === undefined ? () => 0 : (row) => row.lot;
    case 'fbaseqty':
    case 'fqty':
    case 'fbaseavbqty':
    case 'favbqty':
      return plain((row) => row.qty);
    case 'fbaselockqty':
    case 'flockqty':
      return plain(zero);
    case 'fownertypeid':
      return plain(() => 'BD_OwnerOrg');
    case 'fkeepertypeid':
      return plain(() => 'BD_KeeperOrg');
    case 'fstockstatusid':
      return property === undefined ? () => 10000 : () => (property === 'fnumber' ? 'KCZT01_SYS' : '可用');
    default:
      throw unknownField(key);
  }
}
