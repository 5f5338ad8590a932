import {
  checkKitFlows,
  isMasterDataType,
  kitFlowFields,
  postingSettingsFields,
  sinkConfigLoaders,
} from '@yecai/sink-kit';
import { z } from 'zod';
import { FORM_OF, YONYOU_DOCUMENT_TYPES } from './form-maps';
import { checkMasterFlow } from './master-data-map';

export const FlowConfigSchema = z.object({
  /** Canonical document type consumed from topic `canonical.<documentType>` (the same events sink-kingdee reads). */
  documentType: z.enum(YONYOU_DOCUMENT_TYPES),
  /** Run 审核 (batchaudit) after the save. Not idempotent on YonSuite: the ledger guards it. */
  audit: z.boolean().default(true),
  /** 交易类型 code or id (tenant-configured; default the standard type of the document, e.g. A30001 普通销售出库). */
  bustype: z.string().min(1).optional(),
  /**
   * The canonical currency (the rule's 结算币别, e.g. RMB) → the tenant's 币种 code (e.g. CNY). A currency not
   * listed is sent as it is.
   */
  currencyCodes: z.record(z.string().min(1), z.string().min(1)).default({}),
  /**
   * purchase_return only: the sign of the red 采购入库's quantities. Whether a tenant's 退货 transaction type takes
   * negative or positive quantities is unconfirmed (docs/yonyou.md §6 item 7); absent = negative.
   */
  returnQuantities: z.enum(['negative', 'positive']).optional(),
  /** 销售出库 only: 立账开票依据 and 出库立账方式 (yonyou-api.md §3.5.1); the tenant's business flow may override them. */
  receiveAccountingBasis: z
    .enum(['voucher_order', 'voucher_delivery', 'st_salesout', 'unsettle'])
    .default('st_salesout'),
  salesoutAccountingMethod: z.enum(['salesoutEstimate', 'salesoutConfirm', 'invoiceConfirm']).default('invoiceConfirm'),
  /**
   * receipt only (EFI 收款单), both required there: the tenant's 结算方式 code (settleModeCode, e.g. system_0001) and the
   * 企业银行账号 the platform pays out to (enterpriseBankAccountNo). The canonical receipt's settleType / bankAccount
   * are Kingdee numbers (the mapping rule's), so YonSuite takes its own from the flow.
   */
  settleMode: z.string().min(1).optional(),
  enterpriseBankAccount: z.string().min(1).optional(),
  /**
   * fee_settlement only (a 凭证), all required there: the 账簿 code (accbookCode), the 凭证类型 code, the maker (a mobile
   * number, or an e-mail when it has an @), and the platform's clearing account (科目) that carries each payout's net.
   */
  accbook: z.string().min(1).optional(),
  voucherType: z.string().min(1).optional(),
  maker: z.string().min(1).optional(),
  clearingAccount: z.string().min(1).optional(),
  /**
   * Master data (material, customer, supplier) only: orgs (codes) every record is assigned to (多组织分配) after its
   * save, besides the event's own `useOrgs` — sink-kingdee's `allocateToOrgs`. An org already assigned is no error.
   */
  assignToOrgs: z.array(z.string().min(1)).default([]),
  /**
   * Master data only: the tenant's class code where the event has none — 物料分类 (material, required), 供应商分类
   * (supplier, required), 客户分类 (customer, when the event has no 客户分组).
   */
  classCode: z.string().min(1).optional(),
  /** Deterministic document code (the business key YonSuite keeps unique), onModified policy: see @yecai/sink-kit. */
  ...kitFlowFields,
});
export type FlowConfig = z.infer<typeof FlowConfigSchema>;

const VOUCHER_FIELDS = {
  accbook: "the tenant's 账簿 code (accbookCode)",
  voucherType: 'the 凭证类型 code (voucherTypeCode)',
  maker: "the maker's mobile number or e-mail (makerMobile / makerEmail)",
  clearingAccount: "the platform's clearing account (科目 code) that carries each payout's net",
} as const;

export const SinkConfigSchema = z
  .object({
    /** YonSuite connection (validated by @yecai/yonyou): tenant, app key, secret reference, limits. */
    yonyou: z.record(z.string(), z.unknown()),
    flows: z.array(FlowConfigSchema).min(1),
    ...postingSettingsFields,
    groupId: postingSettingsFields.groupId.default('yecai-sink-yonyou'),
  })
  .superRefine((config, context) => {
    checkKitFlows(config.flows, (path, message) => context.addIssue({ code: 'custom', path, message }));
    config.flows.forEach((flow, index) => {
      // A voucher has no 交易类型 (its 凭证类型 is voucherType); master data has none either.
      checkMasterFlow(flow, (field, message) =>
        context.addIssue({ code: 'custom', path: ['flows', index, field], message }),
      );
      if (!flow.bustype && !FORM_OF[flow.documentType].defaultBustype && !isMasterDataType(flow.documentType) && flow.documentType !== 'fee_settlement') {
        context.addIssue({
          code: 'custom',
          path: ['flows', index, 'bustype'],
          message: `${flow.documentType} has no standard 交易类型: give the tenant's transaction type code`,
        });
      }
      if (flow.returnQuantities && flow.documentType !== 'purchase_return') {
        context.addIssue({
          code: 'custom',
          path: ['flows', index, 'returnQuantities'],
          message: `returnQuantities is for purchase_return flows only, not ${flow.documentType}`,
        });
      }
      const receipt = flow.documentType === 'receipt';
      for (const field of ['settleMode', 'enterpriseBankAccount'] as const) {
        if (receipt && !flow[field])
          context.addIssue({
            code: 'custom',
            path: ['flows', index, field],
            message: `receipt: the YonSuite 收款单 needs the tenant's ${field === 'settleMode' ? '结算方式 code (settleModeCode, e.g. system_0001)' : '企业银行账号 the payouts arrive on (enterpriseBankAccountNo)'}`,
          });
        if (!receipt && flow[field])
          context.addIssue({
            code: 'custom',
            path: ['flows', index, field],
            message: `${field} is for receipt flows only, not ${flow.documentType}`,
          });
      }
      const voucher = flow.documentType === 'fee_settlement';
      for (const field of ['accbook', 'voucherType', 'maker', 'clearingAccount'] as const) {
        if (voucher && !flow[field])
          context.addIssue({
            code: 'custom',
            path: ['flows', index, field],
            message: `fee_settlement: the YonSuite 凭证 needs ${VOUCHER_FIELDS[field]}`,
          });
        if (!voucher && flow[field])
          context.addIssue({
            code: 'custom',
            path: ['flows', index, field],
            message: `${field} is for fee_settlement flows only, not ${flow.documentType}`,
          });
      }
      // A receipt names each receivable by its bill number; the EFI 应收单 carries the receivable flow's key.
      const receivableFlow = config.flows.find((other) => other.documentType === 'receivable');
      if (receipt && receivableFlow && receivableFlow.billNumberPattern !== '{billNumber}')
        context.addIssue({
          code: 'custom',
          path: ['flows', index, 'documentType'],
          message: `receipt: the receivable flow's billNumberPattern "${receivableFlow.billNumberPattern}" is not "{billNumber}", so a receipt's writeOffs[].receivableBillNumber would not find its 应收单 (extVouchCode)`,
        });
      if (FORM_OF[flow.documentType].insertOnly && flow.onModified === 'reverse_and_repost') {
        context.addIssue({
          code: 'custom',
          path: ['flows', index, 'onModified'],
          message: `${flow.documentType}: YonSuite saves this document as Insert only (no update after 弃审); use update_if_not_audited or ignore`,
        });
      }
      // Two flows writing one YonSuite document kind share its code space: with the same pattern a return's code
      // could meet an in-stock's, and the sink would adopt that document as its own (a code taken = our earlier write).
      const twin = config.flows.findIndex(
        (other, at) =>
          at < index &&
          other.documentType !== flow.documentType &&
          FORM_OF[other.documentType].formId === FORM_OF[flow.documentType].formId &&
          other.billNumberPattern === flow.billNumberPattern,
      );
      if (twin >= 0) {
        context.addIssue({
          code: 'custom',
          path: ['flows', index, 'billNumberPattern'],
          message: `${flow.documentType} and ${config.flows[twin]!.documentType} both write YonSuite ${FORM_OF[flow.documentType].formId} with billNumberPattern "${flow.billNumberPattern}": give one its own (e.g. "TH-{billNumber}") so their document codes cannot meet`,
        });
      }
    });
  });
export type SinkConfig = z.infer<typeof SinkConfigSchema>;
export type SinkConfigInput = z.input<typeof SinkConfigSchema>;

/** The config from an object or a YAML / JSON file; errors name the field. */
export const { parseSinkConfig, loadSinkConfigFile } = sinkConfigLoaders(SinkConfigSchema);
