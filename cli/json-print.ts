/**
 * Prints JSON output: like `JSON.stringify(value, null, 2)`, but objects are `Map`s (so a field
 * named `__proto__` is printed, not swallowed) and `-0` keeps its sign (a valid JSON number that
 * `JSON.stringify` prints as `0`).
 */

/** A value to print. Numbers must be finite (callers turn NaN and infinities into strings). */
export type JsonOutput = null | boolean | number | string | readonly JsonOutput[] | ReadonlyMap<string, JsonOutput>;

/**
 * `value` as JSON text, without a trailing newline.
 *
 * @param indent - spaces per nesting level; 0 prints everything on one line without spaces
 *   (default 2).
 * @throws RangeError for a non-finite number (JSON has none).
 */
export function printJson(value: JsonOutput, indent = 2): string {
  const parts: string[] = [];
  const write = (v: JsonOutput, depth: number): void => {
    if (v === null || typeof v === 'boolean') {
      parts.push(String(v));
    } else if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw new RangeError(`${v} has no JSON form`);
      parts.push(Object.is(v, -0) ? '-0' : JSON.stringify(v));
    } else if (typeof v === 'string') {
      parts.push(JSON.stringify(v));
    } else if (Array.isArray(v)) {
      writeItems('[', ']', v, depth, (item) => write(item, depth + 1));
    } else {
      const entries = [...(v as ReadonlyMap<string, JsonOutput>)];
      writeItems('{', '}', entries, depth, ([key, item]) => {
        parts.push(JSON.stringify(key), indent === 0 ? ':' : ': ');
        write(item, depth + 1);
      });
    }
  };
  const writeItems = <T>(open: string, close: string, items: readonly T[], depth: number, each: (item: T) => void): void => {
    if (items.length === 0) {
      parts.push(open, close);
      return;
    }
    const inner = indent === 0 ? '' : `\n${' '.repeat(indent * (depth + 1))}`;
    parts.push(open);
    items.forEach((item, i) => {
      parts.push(i === 0 ? inner : `,${inner}`);
      each(item);
    });
    parts.push(indent === 0 ? '' : `\n${' '.repeat(indent * depth)}`, close);
  };
  write(value, 0);
  return parts.join('');
}
