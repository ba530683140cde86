/**
 * Prettier's layout, for the machine-shaped parts of generated code. Formatting costs prettier a
 * few microseconds per byte however tidy its input, which made it most of rpcgen's run time on
 * large schemas. So the emitter lays out codec bodies, descriptors and declarations itself, the
 * way prettier (format.ts's pinned options) would, and prettier formats only what the emitter does
 * not claim to have laid out, or what {@link isSettled} cannot vouch for.
 *
 * The guarantee that matters, `prettier(output) === output` for every generated file, is checked
 * by tests over generated/, the goldens and random schemas (test/compiler/layout.test.ts).
 */

/** Prettier's `printWidth` in PINNED_OPTIONS. */
export const PRINT_WIDTH = 100;

const INDENT = '  ';

/** A line that holds a statement-level object literal: `return { ... };` or `const v: T = { ... };`. */
const OBJECT_STATEMENT = /^(return |(?:const|let) [^=]+= )\{ (.*) \}(;)$/;

/**
 * Indents code written one statement (or block line) per line without indentation, by brace
 * depth, starting at `indent` spaces; the first line is not indented (it continues whatever line
 * it is placed on). A statement-level object literal that does not fit is broken one property per
 * line, as prettier does; every other line is left as it is (when it does not fit, {@link isSettled}
 * says so and prettier formats it).
 */
export function indentCode(code: string, indent: number): string {
  // One pass over the code by character codes: this runs over most of a large module's text.
  let out = '';
  let depth = 0;
  let start = 0;
  for (;;) {
    const newline = code.indexOf('\n', start);
    const end = newline === -1 ? code.length : newline;
    let leadingClosers = 0;
    while (leadingClosers < depth && start + leadingClosers < end && isCloser(code.charCodeAt(start + leadingClosers))) {
      leadingClosers++;
    }
    const prefix = spaces(indent + INDENT.length * (depth - leadingClosers));
    depth += braceBalance(code, start, end);
    const line = code.slice(start, end);
    const laidOut = prefix.length + line.length > PRINT_WIDTH ? expandObject(line, prefix) : line;
    out += start === 0 ? laidOut : `\n${prefix}${laidOut}`;
    if (newline === -1) return out;
    start = newline + 1;
  }
}

const CLOSE_BRACE = 0x7d;
const CLOSE_PAREN = 0x29;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const OPEN_PAREN = 0x28;
const OPEN_BRACKET = 0x5b;
const SINGLE_QUOTE = 0x27;
const DOUBLE_QUOTE = 0x22;
const BACKSLASH = 0x5c;

function isCloser(c: number): boolean {
  return c === CLOSE_BRACE || c === CLOSE_PAREN || c === CLOSE_BRACKET;
}

const SPACES: string[] = [];

function spaces(count: number): string {
  return (SPACES[count] ??= ' '.repeat(count));
}

/** `return { a, b };` as `return {\n  a,\n  b,\n};` (prettier's broken object), if it is one. */
function expandObject(line: string, prefix: string): string {
  const match = OBJECT_STATEMENT.exec(line);
  if (!match) return line;
  const properties = splitTopLevelCommas(match[2]!);
  if (properties === undefined) return line;
  const inner = properties.map((p) => `${prefix}${INDENT}${p},`).join('\n');
  return `${match[1]}{\n${inner}\n${prefix}}${match[3]}`;
}

/** Net count of `{ ( [` over `} ) ]` outside string literals in `text` from `start` to `end`. */
function braceBalance(text: string, start: number, end: number): number {
  let balance = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === SINGLE_QUOTE || c === DOUBLE_QUOTE) {
      i++;
      while (i < end && text.charCodeAt(i) !== c) i += text.charCodeAt(i) === BACKSLASH ? 2 : 1;
    } else if (c === OPEN_BRACE || c === OPEN_PAREN || c === OPEN_BRACKET) balance++;
    else if (isCloser(c)) balance--;
  }
  return balance;
}

/** Index of the quote closing the string literal that opens at `start`. */
function skipString(line: string, start: number): number {
  const quote = line[start];
  let i = start + 1;
  while (i < line.length && line[i] !== quote) i += line[i] === '\\' ? 2 : 1;
  return i;
}

/** `a, b: f(x, y), c` split at its top-level commas; undefined when brackets do not balance. */
function splitTopLevelCommas(text: string): string[] | undefined {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "'" || c === '"') i = skipString(text, i);
    else if (c === '{' || c === '(' || c === '[') depth++;
    else if (c === '}' || c === ')' || c === ']') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i).trim());
      start = i + 1;
    }
    if (depth < 0) return undefined;
  }
  if (depth !== 0) return undefined;
  parts.push(text.slice(start).trim());
  return parts;
}

/**
 * Features of a line prettier may rewrite however it is laid out: a double quote or backslash
 * (quote style and escapes), a quoted property key, an exponent with `+`, a non-ASCII character
 * (prettier measures width in columns, not code units), trailing or non-space whitespace, a
 * run of spaces inside a line (prettier keeps one: `{  }` becomes `{}`), an empty block on two lines.
 */
const UNSETTLED_TEXT = /["\\\t\r]|'[^'\n]*'\??:|\d[eE]\+|[^\x00-\x7f]|[ \t]$|\S  +\S|\{\n *\}/m;

/**
 * Whether text the emitter laid out itself is certainly what prettier would print: every line
 * fits and nothing on it is subject to prettier's rewriting. False sends the text to prettier.
 */
export function isSettled(text: string): boolean {
  if (UNSETTLED_TEXT.test(text)) return false;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    if (end - start > PRINT_WIDTH) return false;
    start = end + 1;
  }
  return true;
}

/** Marks a hole in printed text; no IDL name or emitted code contains this character. */
const HOLE = '\u0001';

/**
 * Code the emitter laid out itself, kept out of ts-morph's printer: ts-morph prints a
 * declaration's structure around a placeholder ({@link hole}) and {@link fill} puts the code in.
 * (ts-morph's code writer looks at every character it is given, which cost more than all other
 * emitting together on large schemas.)
 */
export class LaidOutText {
  readonly #texts: string[] = [];

  /**
   * A placeholder for `code` (see {@link indentCode}) laid out at `indent` spaces: the column
   * of the line the placeholder is printed on.
   */
  hole(code: string, indent: number): string {
    return this.verbatim(indentCode(code, indent));
  }

  /** A placeholder for `text`, laid out completely already. */
  verbatim(text: string): string {
    this.#texts.push(text);
    return `${HOLE}${this.#texts.length - 1}${HOLE}`;
  }

  /**
   * Parameters for a ts-morph signature printed at `indent` spaces, `head` being what precedes
   * them on its line (`name(`) and `tail` what follows (`): R;`). When the signature does not fit,
   * prettier puts one parameter per line: then the list is one verbatim "parameter".
   */
  parameters<P extends { readonly name: string; readonly type: string; readonly hasQuestionToken?: boolean }>(
    parameters: readonly P[],
    indent: number,
    head: string,
    tail: string,
  ): (P | { name: string })[] {
    const texts = parameters.map((p) => `${p.name}${p.hasQuestionToken ? '?' : ''}: ${p.type}`);
    if (texts.length === 0 || indent + head.length + texts.join(', ').length + tail.length <= PRINT_WIDTH) {
      return [...parameters];
    }
    const inner = ' '.repeat(indent + INDENT.length);
    return [{ name: this.verbatim(`\n${texts.map((t) => `${inner}${t},\n`).join('')}${' '.repeat(indent)}`) }];
  }

  /** `printed` with every placeholder replaced by its code. */
  fill(printed: string): string {
    if (!printed.includes(HOLE)) return printed;
    return printed.replace(/\u0001(\d+)\u0001/g, (_, index: string) => this.#texts[Number(index)]!);
  }
}
