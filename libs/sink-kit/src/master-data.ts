import type { CanonicalJson } from './canonical';

/** The canonical master-data types a finance sink saves (物料 / 客户 / 供应商 / 仓库), besides documents. */
export const MASTER_DATA_TYPES = ['material', 'customer', 'supplier', 'warehouse'] as const;
export type MasterDataType = (typeof MASTER_DATA_TYPES)[number];

export function isMasterDataType(documentType: string): documentType is MasterDataType {
  return (MASTER_DATA_TYPES as readonly string[]).includes(documentType);
}

/**
 * The use orgs a master record (物料 / 客户 / 供应商) goes to besides its create org, whatever the target calls it
 * (Kingdee 分配 `allocateToOrgs`, YonSuite 多组织分配 `assignToOrgs`): the flow's orgs plus the event's own `useOrgs`,
 * once each, sorted.
 */
export function useOrgTargets(canonical: CanonicalJson, flowOrgs: readonly string[], createOrg: string): string[] {
  const own = Array.isArray(canonical.useOrgs) ? canonical.useOrgs.map(String) : [];
  return [...new Set([...flowOrgs, ...own])].filter((org) => org !== createOrg).sort();
}
