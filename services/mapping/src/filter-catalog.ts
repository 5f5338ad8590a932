import type { FilteredInput } from '@yecai/parking';
import type { CompiledRule } from './rules/load-rules';

/** What the engine says of a filtered document (flow and filter name) plus the version that was filtered. */
export type FilteredOutcome = Omit<FilteredInput, 'ruleVersion' | 'description' | 'scope'>;

interface FlowFilters {
  ruleVersion: string;
  header: Map<string, string>;
  lines: { name: string; description: string }[];
}

/**
 * The rules' filter descriptions by flow, so a filtered record says in words why (the engine's outcome names only
 * the filter). A document dropped because every line was filtered names all the rule's line filters, as the engine does.
 */
export class FilterCatalog {
  private readonly flows = new Map<string, FlowFilters>();

  constructor(rules: readonly CompiledRule[]) {
    for (const { rule, ruleVersion } of rules) {
      this.flows.set(rule.flow, {
        ruleVersion,
        header: new Map(rule.filters.map((filter) => [filter.name, filter.description])),
        lines: (rule.lines?.filters ?? []).map(({ name, description }) => ({ name, description })),
      });
    }
  }

  describe(outcome: FilteredOutcome): FilteredInput {
    const flow = this.flows.get(outcome.flow);
    const header = flow?.header.get(outcome.filter);
    if (header !== undefined) return { ...outcome, ruleVersion: flow!.ruleVersion, description: header, scope: 'document' };
    const lines = flow?.lines ?? [];
    const description =
      lines.length > 0
        ? `所有明细都被过滤 every line filtered out: ${lines.map((filter) => `${filter.name}（${filter.description}）`).join('；')}`
        : '单据没有明细 the document has no lines';
    return { ...outcome, ruleVersion: flow?.ruleVersion ?? '?', description, scope: 'lines' };
  }
}
