export {
  startYonyouEmulator,
  EMULATOR_CREDENTIALS,
  type YonyouEmulator,
  type YonyouEmulatorOptions,
  type YonyouFaults,
} from './server';
export { YonyouState, BILL_KINDS, DEFAULT_REFERENCES, type RefType, type StoredDocument } from './state';
export { expectedSignature } from './signature';
export { RECEIVABLE_SRC_BILL_TYPE } from './efi-collection';
export { VoucherBook, VOUCHER_BASE, DEFAULT_CHART, type Voucher } from './voucher';
export { MasterDataStore, DEFAULT_CLASSES, type MasterRecord, type MasterType } from './master-data';
