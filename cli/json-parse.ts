/**
 * A strict JSON parser (RFC 8259) for arguments typed in a shell. Unlike `JSON.parse` it keeps
 * each number's source text, so an i64 such as `9223372036854775807` reaches the wire exactly
 * (`JSON.parse` would round it to a double), it reports errors as `line:column` with what was
 * expected, and it refuses duplicate object keys instead of keeping the last one silently.
 */

/** A parsed JSON value. Objects are `Map`s, so keys such as `__proto__` are plain keys. */
export type JsonValue = null | boolean | string | JsonNumber | readonly JsonValue[] | JsonObject;

/** A JSON object: keys in source order. */
export type JsonObject = ReadonlyMap<string, JsonValue>;

/** A JSON number, as written (`-0`, `1e3`, `9223372036854775807`). */
export class JsonNumber {
  /** @param text - the number's source text; valid JSON number syntax. */
  constructor(readonly text: string) {}

  /** The nearest double. */
  get value(): number {
    return Number(this.text);
  }
}

/** Input that is not JSON: `message` says where (1-based `line:column`) and what was expected. */
export class JsonSyntaxError extends Error {
  /**
   * @param offset - 0-based index into the input (UTF-16 code units).
   * @param line - 1-based line.
   * @param column - 1-based column.
   * @param problem - what is wrong, without the position.
   */
  constructor(
    readonly offset: number,
    readonly line: number,
    readonly column: number,
    readonly problem: string,
  ) {
    super(`${problem} at ${line}:${column}`);
  }

  override get name(): string {
    return 'JsonSyntaxError';
  }
}

/** Deepest nesting of arrays and objects accepted: parsing recurses once per level. */
const MAX_DEPTH = 512;

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const ESCAPES: Readonly<Record<string, string>> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/**
 * Parses `text`, which must hold exactly one JSON value (whitespace around it is fine).
 *
 * @throws JsonSyntaxError for anything else.
 */
export function parseJson(text: string): JsonValue {
  let pos = 0;

  const fail = (problem: string, at = pos): never => {
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < at; i++) {
      if (text.charCodeAt(i) === 0x0a) {
        line++;
        lineStart = i + 1;
      }
    }
    throw new JsonSyntaxError(at, line, at - lineStart + 1, problem);
  };

  const found = (): string => {
    if (pos >= text.length) return 'the end of the input';
    const c = text.codePointAt(pos)!;
    return c < 0x20 ? `control character U+${c.toString(16).toUpperCase().padStart(4, '0')}` : `'${String.fromCodePoint(c)}'`;
  };

  const skipWhitespace = (): void => {
    for (;;) {
      const c = text.charCodeAt(pos);
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return;
      pos++;
    }
  };

  const expect = (char: string, what: string): void => {
    skipWhitespace();
    if (text[pos] !== char) fail(`expected ${what}, found ${found()}`);
    pos++;
  };

  const parseString = (): string => {
    const start = pos;
    pos++; // the opening quote
    let out = '';
    let chunkStart = pos;
    for (;;) {
      if (pos >= text.length) fail('unterminated string', start);
      const c = text.charCodeAt(pos);
      if (c === 0x22) {
        out += text.slice(chunkStart, pos);
        pos++;
        return out;
      }
      if (c < 0x20) fail(`${found()} in a string (escape it)`);
      if (c !== 0x5c) {
        pos++;
        continue;
      }
      out += text.slice(chunkStart, pos);
      const escape = text[pos + 1];
      if (escape === 'u') {
        const hex = text.slice(pos + 2, pos + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('expected 4 hex digits after \\u', pos + 2);
        out += String.fromCharCode(parseInt(hex, 16));
        pos += 6;
      } else if (escape !== undefined && ESCAPES[escape] !== undefined) {
        out += ESCAPES[escape];
        pos += 2;
      } else {
        pos++;
        fail(`invalid escape \\${escape ?? ''} in a string`, pos - 1);
      }
      chunkStart = pos;
    }
  };

  const parseValue = (depth: number): JsonValue => {
    skipWhitespace();
    const c = text[pos];
    if (c === '"') return parseString();
    if (c === '{' || c === '[') {
      if (depth >= MAX_DEPTH) fail(`nesting deeper than ${MAX_DEPTH} levels`);
      return c === '{' ? parseObject(depth + 1) : parseArray(depth + 1);
    }
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) {
      NUMBER.lastIndex = pos;
      const match = NUMBER.exec(text);
      if (match === null) {
        pos++;
        return fail(`expected a digit after '-', found ${found()}`);
      }
      pos += match[0].length;
      return new JsonNumber(match[0]);
    }
    for (const [word, value] of LITERALS) {
      if (text.startsWith(word, pos)) {
        pos += word.length;
        return value;
      }
    }
    return fail(`expected a JSON value, found ${found()}`);
  };

  const parseArray = (depth: number): JsonValue[] => {
    pos++;
    const items: JsonValue[] = [];
    skipWhitespace();
    if (text[pos] === ']') {
      pos++;
      return items;
    }
    for (;;) {
      items.push(parseValue(depth));
      skipWhitespace();
      if (text[pos] === ']') {
        pos++;
        return items;
      }
      expect(',', "',' or ']' after an array element");
    }
  };

  const parseObject = (depth: number): Map<string, JsonValue> => {
    pos++;
    const members = new Map<string, JsonValue>();
    skipWhitespace();
    if (text[pos] === '}') {
      pos++;
      return members;
    }
    for (;;) {
      skipWhitespace();
      if (text[pos] !== '"') fail(`expected a member name in double quotes, found ${found()}`);
      const keyAt = pos;
      const key = parseString();
      if (members.has(key)) fail(`duplicate key ${JSON.stringify(key)}`, keyAt);
      expect(':', "':' after a member name");
      members.set(key, parseValue(depth));
      skipWhitespace();
      if (text[pos] === '}') {
        pos++;
        return members;
      }
      expect(',', "',' or '}' after an object member");
    }
  };

  const value = parseValue(0);
  skipWhitespace();
  if (pos < text.length) fail(`unexpected ${found()} after the JSON value`);
  return value;
}

const LITERALS: ReadonlyArray<readonly [string, JsonValue]> = [
  ['true', true],
  ['false', false],
  ['null', null],
];

/** What kind of JSON value `json` is, for messages: `null`, `boolean`, `number`, `string`, `array`, `object`. */
export function jsonKind(json: JsonValue): string {
  if (json === null) return 'null';
  if (json instanceof JsonNumber) return 'number';
  if (Array.isArray(json)) return 'array';
  if (json instanceof Map) return 'object';
  return typeof json;
}
