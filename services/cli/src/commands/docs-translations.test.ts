/**
 * Our users read Chinese: the quick start (README.md) and the operations guide (docs/operations.md) have a Chinese
 * version beside them. This keeps each pair in step: the Chinese file exists, links back, has as many `##` sections,
 * carries every command of the English code blocks and every `yecai …` command the English text names (verbatim), and
 * its relative links resolve. A command added to the English doc without the Chinese one fails here.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { repoRoot } from '@yecai/stack';

const ROOT = repoRoot(__dirname);

const PAIRS = [
  { english: 'README.md', chinese: 'README.zh-CN.md' },
  { english: 'docs/operations.md', chinese: 'docs/operations.zh-CN.md' },
  { english: 'docs/reconciliation.md', chinese: 'docs/reconciliation.zh-CN.md' },
];

const FENCE = /^\s*```/;

interface Parsed {
  /** Lines outside fenced code blocks. */
  prose: string[];
  /** Lines inside fenced code blocks, trimmed. */
  code: string[];
}

function parse(text: string): Parsed {
  const prose: string[] = [];
  const code: string[] = [];
  let inFence = false;
  for (const line of text.split(/\r?\n/)) {
    if (FENCE.test(line)) inFence = !inFence;
    else if (inFence) code.push(line.trim());
    else prose.push(line);
  }
  return { prose, code };
}

/** A code-block line without its trailing comment (comments may be translated); comment-only and empty lines drop. */
function commandLine(line: string): string | undefined {
  if (line === '' || line.startsWith('#')) return undefined;
  return line.replace(/\s+#\s.*$/, '').trimEnd();
}

const commandLines = (parsed: Parsed) =>
  parsed.code.map(commandLine).filter((line): line is string => line !== undefined);

/** Inline code spans of the prose (tables included). */
const inlineCode = (parsed: Parsed) =>
  parsed.prose.flatMap((line) => [...line.matchAll(/`([^`]+)`/g)].map((match) => match[1]!));

/** `yecai <subcommand> [<sub-subcommand>]` named in inline code or code blocks, e.g. `yecai topics ensure`. */
function yecaiMentions(parsed: Parsed): Set<string> {
  const mentions = new Set<string>();
  for (const text of [...inlineCode(parsed), ...parsed.code]) {
    for (const match of text.matchAll(/(?:^|[\s"'(])(?:\.\/)?yecai ([a-z][a-z-]*)(?: ([a-z][a-z-]*))?/g)) {
      mentions.add(['yecai', match[1], match[2]].filter(Boolean).join(' '));
    }
  }
  return mentions;
}

/** Inline code spans that are a whole yecai command (`./yecai run [--documents 2000] …`, `yecai parked --stage mapping`). */
const yecaiSpans = (parsed: Parsed) => inlineCode(parsed).filter((span) => /^(?:\.\/)?yecai [a-z]/.test(span));

const sectionHeadings = (parsed: Parsed) => parsed.prose.filter((line) => /^##\s/.test(line));

describe.each(PAIRS)('$chinese keeps in step with $english', ({ english, chinese }) => {
  const englishText = readFileSync(join(ROOT, english), 'utf8');
  const chinesePath = join(ROOT, chinese);
  const chineseText = existsSync(chinesePath) ? readFileSync(chinesePath, 'utf8') : '';
  const en = parse(englishText);
  const zh = parse(chineseText);

  it('exists and is written in Chinese', () => {
    expect(existsSync(chinesePath)).toBe(true);
    const han = chineseText.match(/\p{Script=Han}/gu) ?? [];
    expect(han.length).toBeGreaterThan(200);
  });

  it('both files start with the language switch', () => {
    const chineseName = chinese.split('/').pop()!;
    const englishName = english.split('/').pop()!;
    expect(englishText.split('\n')[0]).toBe(`English · [中文](${chineseName})`);
    expect(chineseText.split('\n')[0]).toBe(`[English](${englishName}) · 中文`);
  });

  it('has the same number of ## sections', () => {
    expect(sectionHeadings(en).length).toBeGreaterThan(0);
    expect(sectionHeadings(zh).length).toBe(sectionHeadings(en).length);
  });

  it('has every command line of the English code blocks in its code blocks', () => {
    const present = new Set(commandLines(zh));
    const missing = commandLines(en).filter((line) => !present.has(line));
    expect(missing).toEqual([]);
  });

  it('names every yecai command the English one names', () => {
    const present = yecaiMentions(zh);
    const missing = [...yecaiMentions(en)].filter((mention) => !present.has(mention));
    expect(yecaiMentions(en).size).toBeGreaterThan(0);
    expect(missing).toEqual([]);
  });

  it('carries every inline yecai command verbatim (flags included)', () => {
    const missing = yecaiSpans(en).filter((span) => !chineseText.includes(`\`${span}\``));
    expect(missing).toEqual([]);
  });

  it('has relative links that resolve', () => {
    const targets = zh.prose.flatMap((line) => [...line.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1]!));
    const broken = targets
      .filter((target) => !/^[a-z]+:/.test(target) && !target.startsWith('#'))
      .filter((target) => !existsSync(join(dirname(chinesePath), target.split('#')[0]!)));
    expect(targets.length).toBeGreaterThan(0);
    expect(broken).toEqual([]);
  });
});
