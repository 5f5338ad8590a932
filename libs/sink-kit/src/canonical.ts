/** The canonical event as the kit reads it: identity, version order and key rendering live in @yecai/contracts. */
export { documentKeyOf, isStaleVersion, renderBillNumber, sourceIdentity, type CanonicalJson, type SourceIdentity } from '@yecai/contracts/src/identity';
