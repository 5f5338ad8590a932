import { matchesSearch, searchPattern } from './search-text';

it('matches the typed text literally, anywhere, ignoring case; a regex character is that character', () => {
  const pattern = searchPattern('  so-1001.A ');
  expect(matchesSearch(pattern, [null, 'jushuitan/demo/SO-1001.a/x'])).toBe(true);
  expect(matchesSearch(pattern, ['SO-1001xA'])).toBe(false);
  expect(matchesSearch(searchPattern('(100004'), ['仓库 (100004) 未映射'])).toBe(true);
  expect(matchesSearch(searchPattern('a|b'), ['a', 'b'])).toBe(false);
});

it('refuses empty or over-long text with a message naming q', () => {
  expect(() => searchPattern('   ')).toThrow(/^q: 1 to 200 characters/);
  expect(() => searchPattern('x'.repeat(201))).toThrow(/^q: 1 to 200 characters \(got 201\)/);
});
