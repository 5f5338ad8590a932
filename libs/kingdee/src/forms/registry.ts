/**
 * The Kingdee form registry: one declaration per form (form id, default bill type, number and primary-key field,
 * entry key, the canonical document types posted to it, its Save model shape). The sink, the emulator, the form
 * maps and the docs all read it; adding a form starts with one entry here (docs/adding-a-target.md).
 */
import type { BillFormDeclaration, FormDeclaration, MasterFormDeclaration } from './declaration';
import { FINANCE_FORMS } from './finance-forms';
import { MASTER_FORMS } from './master-forms';
import { STOCK_FORMS } from './stock-forms';

export const BILL_FORM_DECLARATIONS: readonly BillFormDeclaration[] = [...STOCK_FORMS, ...FINANCE_FORMS];
export const MASTER_FORM_DECLARATIONS: readonly MasterFormDeclaration[] = MASTER_FORMS;
export const FORM_DECLARATIONS: readonly FormDeclaration[] = [...BILL_FORM_DECLARATIONS, ...MASTER_FORM_DECLARATIONS];

const BY_ID = new Map(FORM_DECLARATIONS.map((form) => [form.formId.toLowerCase(), form]));
for (const form of FORM_DECLARATIONS) {
  if (FORM_DECLARATIONS.filter((other) => other.formId.toLowerCase() === form.formId.toLowerCase()).length > 1) {
    throw new Error(`Kingdee form registry: form ${form.formId} is declared twice`);
  }
}

/** The declaration of `formId` (case-insensitive, like Kingdee), or undefined for a form the registry does not know. */
export function formDeclaration(formId: string): FormDeclaration | undefined {
  return BY_ID.get(formId.toLowerCase());
}

export function billFormDeclaration(formId: string): BillFormDeclaration | undefined {
  const form = formDeclaration(formId);
  return form?.kind === 'bill' ? form : undefined;
}

export function masterFormDeclaration(formId: string): MasterFormDeclaration | undefined {
  const form = formDeclaration(formId);
  return form?.kind === 'master' ? form : undefined;
}

/** The forms a canonical document type is posted to, in registry order (stock_count: gain, then loss). */
export function formsPostedFrom(documentType: string): FormDeclaration[] {
  return FORM_DECLARATIONS.filter((form) => form.documentTypes.includes(documentType));
}
