/**
 * Canonical material / customer / supplier / warehouse (the events sink-kingdee saves as BD_MATERIAL / BD_Customer /
 * BD_Supplier / BD_STOCK) → the YonSuite master-data save of yonyou-api.md §3.5.9. The code is the canonical number:
 * the ledger key and the upsert's match. Names go in the shape each API documents (物料 / 客户
 * `name.simplifiedName`, 供应商 `name.zh_CN`; 仓库's is not documented, zh_CN like the other MDF archives — §6). The
 * create org is the event's; classes the event lacks come from the flow (`classCode`).
 */
import { isMasterDataType, useOrgTargets, type CanonicalJson, type MasterDataType } from '@yecai/sink-kit';
import type { FlowConfig } from './config';
import { compact, optional, required } from './form-maps';

/** 物料属性 实物 (yonyou-api.md §3.5.9 `realProductAttribute: 1`); 业务属性 "1,7" as the API page's example. */
const PHYSICAL_GOODS = 1;
const BUSINESS_ATTRIBUTES = '1,7';

/** The record's code: the canonical number, the key YonSuite matches the upsert by. */
export function masterCode(event: CanonicalJson): string {
  return required(event, 'number');
}

/** The save's record (the `data` object of an MDD save, or the one row of a batch save). */
export function masterModel(
  documentType: MasterDataType,
  event: CanonicalJson,
  flow: Pick<FlowConfig, 'classCode'>,
): Record<string, unknown> {
  const code = masterCode(event);
  const name = required(event, 'name');
  const org = required(event, 'createOrg');
  const classCode = () => flow.classCode ?? required({}, 'classCode', 'flow.classCode');
  switch (documentType) {
    case 'material': {
      const unit = required(event, 'baseUnit');
      return {
        code,
        name: { simplifiedName: name },
        orgCode: org,
        manageClassCode: classCode(),
        realProductAttribute: PHYSICAL_GOODS,
        unitCode: unit,
        detail: { purchaseUnitCode: unit, stockUnitCode: unit, businessAttribute: BUSINESS_ATTRIBUTES },
      };
    }
    case 'customer':
      // 客户分组 when the rule gave one (it must be the tenant's 客户分类 code), else the flow's class, else none.
      return compact({
        code,
        name: { simplifiedName: name },
        createOrgCode: org,
        customerClassCode: optional(event, 'group') ?? flow.classCode,
      });
    case 'supplier':
      return { _status: 'InsertUpdate', code, name: { zh_CN: name }, org_code: org, vendorclass_code: classCode() };
    case 'warehouse':
      return { code, name: { zh_CN: name }, org___code: org };
  }
}

/** The orgs a record is assigned to besides its create org (none for 仓库: one 库存组织, no assign API). */
export function assignTargets(documentType: MasterDataType, event: CanonicalJson, flow: FlowConfig): string[] {
  if (documentType === 'warehouse') return [];
  return useOrgTargets(event, flow.assignToOrgs, required(event, 'createOrg'));
}

/** Start-up checks of a flow's master-data settings; `issue` names the field. */
export function checkMasterFlow(
  flow: Pick<FlowConfig, 'documentType' | 'assignToOrgs' | 'classCode'>,
  issue: (field: string, message: string) => void,
): void {
  const type = flow.documentType;
  if (flow.assignToOrgs.length > 0 && (!isMasterDataType(type) || type === 'warehouse'))
    issue(
      'assignToOrgs',
      type === 'warehouse'
        ? '用友仓库属于一个库存组织，没有分配接口 a YonSuite warehouse belongs to one stock org: no assignToOrgs'
        : `assignToOrgs is for master-data flows (material, customer, supplier), not ${type}`,
    );
  if ((type === 'material' || type === 'supplier') && !flow.classCode)
    issue(
      'classCode',
      `${type === 'material' ? '物料分类 (manageClassCode)' : '供应商分类 (vendorclass_code)'} 必填：请配置租户的分类编码 required by YonSuite: give the tenant's class code`,
    );
  if (flow.classCode && type !== 'material' && type !== 'supplier' && type !== 'customer')
    issue('classCode', `classCode is for material, customer and supplier flows, not ${type}`);
}
