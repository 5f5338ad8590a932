// The canonical identity and the bill-number pattern are the contract's (one place for every target and reader).
export { renderBillNumber, sourceIdentity, type SourceIdentity } from '@yecai/contracts/src/identity';
