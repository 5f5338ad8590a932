import { conversionRule } from '@yecai/kingdee';
import { checkAggregation, kitFlowFields, postingSettingsFields, sinkConfigLoaders } from '@yecai/sink-kit';
import { z } from 'zod';
import { SINK_DOCUMENT_TYPES, formsOf, isMasterDataType } from './master-data';

export const FlowConfigSchema = z.object({
  /** Canonical document type consumed from topic `canonical.<documentType>` (bills, or material/customer/supplier). */
  documentType: z.enum(SINK_DOCUMENT_TYPES),
  /** Run Submit after Save. */
  submit: z.boolean().default(true),
  /** Run Audit after Submit (requires submit). */
  audit: z.boolean().default(true),
  /** Bill type number (FBillTypeID), default: the form's standard type (e.g. XSCKD01_SYS). */
  billType: z.string().min(1).optional(),
  /** Interaction flags auto-confirmed on Save and Audit, e.g. STK_InvCheckResult (allow negative stock). */
  interactionFlags: z.array(z.string().min(1)).default([]),
  /**
   * Master data only: use orgs (numbers) every record of this flow is allocated to (分配) after it is audited in
   * its create org, besides the event's own `useOrgs`. An org that already has the record is not an error.
   */
  allocateToOrgs: z.array(z.string().min(1)).default([]),
  /**
   * 下推 (finance-flows.md §1.2): after the bill is audited, Kingdee's conversion rule `ruleId` makes the downstream
   * bill from it (AR_OutStockToReceivableMap: 销售出库单 → 应收单; AP_InStockToPayableMap: 采购入库单 → 应付单), linked to
   * it, exactly once; `audit` submits and audits that bill too. The document is POSTED when both are done.
   */
  pushDown: z.object({ ruleId: z.string().min(1), audit: z.boolean().default(true) }).optional(),
  /** Field keys of the tenant's custom fields (flows.md §2: 物流单号, 线上订单号). */
  customFields: z
    .object({ logisticsNumber: z.string().min(1).default('F_YC_LogisticsNo'), onlineOrderNumber: z.string().min(1).default('F_YC_OnlineOrderNo') })
    .prefault({}),
  /** Deterministic FBillNo (the idempotency key), onModified policy, aggregation: see @yecai/sink-kit config. */
  ...kitFlowFields,
});
export type FlowConfig = z.infer<typeof FlowConfigSchema>;

export const SinkConfigSchema = z
  .object({
    /** Kingdee connection (validated by @yecai/kingdee): the target 账套 is its acctId. */
    kingdee: z.record(z.string(), z.unknown()),
    flows: z.array(FlowConfigSchema).min(1),
    ...postingSettingsFields,
    /** Consumer group id. */
    groupId: postingSettingsFields.groupId.default('yecai-sink-kingdee'),
    /** Bills per BatchSave call (kingdee-webapi.md §7: keep ≤ 100). */
    batchSize: postingSettingsFields.batchSize,
  })
  .superRefine((config, context) => {
    config.flows.forEach((flow, index) => {
      if (flow.audit && !flow.submit) context.addIssue({ code: 'custom', path: ['flows', index, 'audit'], message: 'audit requires submit: true' });
      if (flow.allocateToOrgs.length > 0 && !isMasterDataType(flow.documentType)) {
        context.addIssue({ code: 'custom', path: ['flows', index, 'allocateToOrgs'], message: 'only master-data flows (material, customer, supplier) are allocated to use orgs' });
      }
      if (isMasterDataType(flow.documentType) && !flow.audit) {
        context.addIssue({ code: 'custom', path: ['flows', index, 'audit'], message: 'master data must be audited (Kingdee allocates audited records only): audit: true' });
      }
      if (config.flows.findIndex((other) => other.documentType === flow.documentType) !== index) {
        context.addIssue({ code: 'custom', path: ['flows', index, 'documentType'], message: `flow ${flow.documentType} is configured twice` });
      }
      if (flow.pushDown) {
        const rule = conversionRule(flow.pushDown.ruleId);
        const path = ['flows', index, 'pushDown', 'ruleId'];
        if (!rule) context.addIssue({ code: 'custom', path, message: `unknown conversion rule ${flow.pushDown.ruleId} (known: AR_OutStockToReceivableMap, AP_InStockToPayableMap)` });
        else if (!formsOf(flow.documentType).includes(rule.sourceFormId)) context.addIssue({ code: 'custom', path, message: `${rule.ruleId} pushes from ${rule.sourceFormId}; flow ${flow.documentType} posts ${formsOf(flow.documentType).join(', ')}` });
        if (!flow.audit) context.addIssue({ code: 'custom', path: ['flows', index, 'audit'], message: 'pushDown needs an audited bill: audit: true' });
      }
      checkAggregation(flow, index, (path, message) => context.addIssue({ code: 'custom', path, message })); // aggregated posting
    });
  });
export type SinkConfig = z.infer<typeof SinkConfigSchema>;
export type SinkConfigInput = z.input<typeof SinkConfigSchema>;

/** The config from an object or a YAML / JSON file; errors name the field. */
export const { parseSinkConfig, loadSinkConfigFile } = sinkConfigLoaders(SinkConfigSchema);
