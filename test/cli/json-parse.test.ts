/** The strict JSON reader and the printer of `rpcgen call`. */
import { describe, expect, it } from 'vitest';
import { JsonNumber, JsonSyntaxError, parseJson, type JsonValue } from '../../cli/json-parse.js';
import { printJson, type JsonOutput } from '../../cli/json-print.js';

/** A parsed value in plain form: numbers as their text, objects as entry lists. */
function plain(value: JsonValue): unknown {
  if (value instanceof JsonNumber) return { number: value.text };
  if (Array.isArray(value)) return value.map(plain);
  if (value instanceof Map) return [...value].map(([k, v]) => [k, plain(v)]);
  return value;
}

function syntaxError(text: string): string {
  try {
    parseJson(text);
  } catch (error) {
    expect(error).toBeInstanceOf(JsonSyntaxError);
    return (error as Error).message;
  }
  throw new Error(`${text} parsed`);
}

describe('parseJson', () => {
  it.each<[string, unknown]>([
    ['null', null],
    [' true ', true],
    ['false', false],
    ['"a\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00"', 'a"\\/\b\f\n\r\té😀'],
    ['9223372036854775807', { number: '9223372036854775807' }],
    ['-0', { number: '-0' }],
    ['-1.5E+3', { number: '-1.5E+3' }],
    ['[]', []],
    ['[1, [2], {}]', [{ number: '1' }, [{ number: '2' }], []]],
    ['{"__proto__": 1, "constructor": {"a": null}}', [['__proto__', { number: '1' }], ['constructor', [['a', null]]]]],
    ['\n\t{ "a" : "b" }\r\n', [['a', 'b']]],
  ])('%s', (text, expected) => {
    expect(plain(parseJson(text))).toEqual(expected);
  });

  it.each<[string, string]>([
    ['', 'expected a JSON value, found the end of the input at 1:1'],
    ['{"id": 1,}', 'expected a member name in double quotes, found \'}\' at 1:10'],
    ['{"id" 1}', "expected ':' after a member name, found '1' at 1:7"],
    ['{"id": 1 "x": 2}', "expected ',' or '}' after an object member, found '\"' at 1:10"],
    ['[1 2]', "expected ',' or ']' after an array element, found '2' at 1:4"],
    ["{'id': 1}", "expected a member name in double quotes, found ''' at 1:2"],
    ['{"a": 1}\n{"b": 2}', "unexpected '{' after the JSON value at 2:1"],
    ['{"a": 1, "a": 2}', 'duplicate key "a" at 1:10'],
    ['"open', 'unterminated string at 1:1'],
    ['"tab\there"', 'control character U+0009 in a string (escape it) at 1:5'],
    ['"\\x"', 'invalid escape \\x in a string at 1:2'],
    ['"\\u12g4"', 'expected 4 hex digits after \\u at 1:4'],
    ['-', "expected a digit after '-', found the end of the input at 1:2"],
    ['01', "unexpected '1' after the JSON value at 1:2"],
    ['1.', "unexpected '.' after the JSON value at 1:2"],
    ['NaN', "expected a JSON value, found 'N' at 1:1"],
    ['tru', "expected a JSON value, found 't' at 1:1"],
    ['{"a":\n  [1,\n   x]}', "expected a JSON value, found 'x' at 3:4"],
  ])('refuses %j', (text, message) => {
    expect(syntaxError(text)).toBe(message);
  });

  it('refuses nesting deeper than 512 levels without overflowing the stack', () => {
    expect(plain(parseJson(`${'['.repeat(512)}${']'.repeat(512)}`))).toBeDefined();
    expect(syntaxError('['.repeat(100_000))).toBe('nesting deeper than 512 levels at 1:513');
  });
});

describe('printJson', () => {
  it('prints like JSON.stringify with two spaces, Map objects, and -0', () => {
    const value: JsonOutput = new Map<string, JsonOutput>([
      ['__proto__', 1],
      ['list', [true, null, -0, 'x"y']],
      ['empty', []],
      ['nested', new Map<string, JsonOutput>([['none', new Map()]])],
    ]);
    expect(printJson(value)).toBe(
      '{\n  "__proto__": 1,\n  "list": [\n    true,\n    null,\n    -0,\n    "x\\"y"\n  ],\n  "empty": [],\n  "nested": {\n    "none": {}\n  }\n}',
    );
    expect(printJson(value, 0)).toBe('{"__proto__":1,"list":[true,null,-0,"x\\"y"],"empty":[],"nested":{"none":{}}}');
    expect(printJson([1.5, 1e21, 'ü'], 0)).toBe(JSON.stringify([1.5, 1e21, 'ü']));
    expect(() => printJson(NaN)).toThrow(RangeError);
  });
});
