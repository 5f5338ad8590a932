/** A whole-number CLI flag of a benchmark: `--name` must be an integer ≥ `min` (1 unless told), or the run stops. */
export function wholeNumberFlag(name: string, value: string | undefined, min = 1): number {
  const parsed = Number(value);
  if (value === undefined || value.trim() === '' || !Number.isInteger(parsed) || parsed < min) {
    throw new Error(`--${name}: "${value}" 不是 ≥ ${min} 的整数 is not a whole number ≥ ${min}`);
  }
  return parsed;
}
