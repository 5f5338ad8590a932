export { startKingdeeEmulator, type KingdeeEmulator, type KingdeeEmulatorOptions } from './server';
export { FaultsSchema, type Faults } from './faults';
export { FixtureSchema, loadFixture, DEFAULT_FIXTURE_PATH, type Fixture } from './fixture';
export { KingdeeState } from './state';
export { BILL_FORMS, BASE_FORMS, CUSTOM_SALES_FIELDS } from './forms';
export { addAuditedBills, addOnlineMaterials, auditedVersions, dateExistingData, kingdeeModifyDate, modifyLate, type VolumeRange } from './volume';
