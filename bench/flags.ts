/** Command-line flag parsing shared by the benchmark scripts. */

/** `value` of `--flag` as a positive integer; throws a message naming the flag otherwise. */
export function positiveInteger(flag: string, value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new Error(`--${flag} must be a positive integer, got ${JSON.stringify(value)}`);
  return number;
}
