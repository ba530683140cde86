/**
 * The lexer against Thrift 0.17's `thriftl.ll`: token boundaries, literal decoding, doc comment
 * cleanup, and one diagnostic line per lexical error code.
 */
import { describe, expect, it } from 'vitest';
import { formatDiagnosticLine } from '../../compiler/diagnostics.js';
import {
  cleanDocComment,
  decodeStringLiteral,
  fitsInI64,
  integerLiteralValue,
  tokenize,
} from '../../compiler/lexer.js';
import { createSourceFile } from '../../compiler/source.js';

function lex(text: string) {
  const source = createSourceFile('a.rpc', text);
  const result = tokenize(source);
  const sources = new Map([[source.path, source]]);
  return {
    tokens: result.tokens.map((token) => `${token.tokenType.name.replace('Keyword_', '')}:${token.image}`),
    docs: result.docComments.map((token) => token.image),
    lines: result.diagnostics.map((d) => formatDiagnosticLine(d, sources)),
  };
}

describe('tokenize', () => {
  it.each([
    ['dotted identifiers', 'shared.User a.b1 _x', ['Identifier:shared.User', 'Identifier:a.b1', 'Identifier:_x']],
    [
      'keywords only as whole words',
      'struct structs i32 i32x i32.x',
      ['struct:struct', 'Identifier:structs', 'i32:i32', 'Identifier:i32x', 'Identifier:i32.x'],
    ],
    ['true and false', 'true false truth', ['true:true', 'false:false', 'Identifier:truth']],
    [
      'decimal and hex integers with signs',
      '1 -2 +3 0x1F -0x10',
      ['DecimalLiteral:1', 'DecimalLiteral:-2', 'DecimalLiteral:+3', 'HexLiteral:0x1F', 'HexLiteral:-0x10'],
    ],
    [
      'doubles',
      '1.5 .5 -1.5E-3 +.5e+2 1e9',
      ['DoubleLiteral:1.5', 'DoubleLiteral:.5', 'DoubleLiteral:-1.5E-3', 'DoubleLiteral:+.5e+2', 'DoubleLiteral:1e9'],
    ],
    ['e10 is an identifier (THRIFT-3477)', 'e10', ['Identifier:e10']],
    ['0x without digits is 0 then x', '0x', ['DecimalLiteral:0', 'Identifier:x']],
    ['1abc is an integer then an identifier', '1abc', ['DecimalLiteral:1', 'Identifier:abc']],
    ['both quote styles', `"a'b" 'c"d'`, [`StringLiteral:"a'b"`, `StringLiteral:'c"d'`]],
    [
      'symbols',
      '{}()[]<>,;:=*&',
      [
        'LCurly:{',
        'RCurly:}',
        'LParen:(',
        'RParen:)',
        'LBracket:[',
        'RBracket:]',
        'LAngle:<',
        'RAngle:>',
        'Comma:,',
        'Semicolon:;',
        'Colon::',
        'Equals:=',
        'Star:*',
        'Ampersand:&',
      ],
    ],
    [
      'all comment styles are skipped',
      'a // x\nb # y\nc /* z\n */ d /**/ e /***/ f',
      ['Identifier:a', 'Identifier:b', 'Identifier:c', 'Identifier:d', 'Identifier:e', 'Identifier:f'],
    ],
    ['a UTF-8 byte order mark is skipped', '\uFEFFstruct', ['struct:struct']],
  ])('%s', (_name, text, expected) => {
    const { tokens, lines } = lex(text);
    expect(tokens).toEqual(expected);
    expect(lines).toEqual([]);
  });

  it('keeps doc comments aside, but not /**/ and /***/', () => {
    expect(lex('/** one */ a /**/ /***/ /** two\n * lines */ b').docs).toEqual(['/** one */', '/** two\n * lines */']);
  });

  it('keeps token offsets, including end offsets', () => {
    const source = createSourceFile('a.rpc', '  struct Foo');
    const [keyword, name] = tokenize(source).tokens;
    expect([keyword?.startOffset, keyword?.endOffset, name?.startOffset, name?.endOffset]).toEqual([2, 7, 9, 11]);
  });
});

describe('lexical diagnostics', () => {
  it.each([
    ['RPC1001 for a character outside the language', 'struct @ A', "a.rpc:1:8: error RPC1001: invalid character '@'"],
    ['RPC1001 for a run of them', 'a $$$ b', "a.rpc:1:3: error RPC1001: invalid characters '$$$'"],
    [
      'RPC1001 shows control characters as code points',
      'a \u0001',
      "a.rpc:1:3: error RPC1001: invalid character 'U+0001'",
    ],
    [
      'RPC1001 for a dot that ends no number',
      'const double D = 1.',
      "a.rpc:1:19: error RPC1001: invalid character '.'",
    ],
    [
      'RPC1002 for a string cut by end of line',
      'const string S = "abc\nx',
      'a.rpc:1:18: error RPC1002: unterminated string literal: missing closing "',
    ],
    [
      'RPC1002 for a string cut by end of file',
      "x 'abc",
      "a.rpc:1:3: error RPC1002: unterminated string literal: missing closing '",
    ],
    [
      'RPC1003 for a block comment cut by end of file',
      'a\n  /* never closed',
      'a.rpc:2:3: error RPC1003: unterminated block comment: missing "*/"',
    ],
    [
      'RPC1003 for a doc comment cut by end of file',
      '/** never closed',
      'a.rpc:1:1: error RPC1003: unterminated block comment: missing "*/"',
    ],
    [
      'RPC1004 for a decimal above i64',
      'x = 9223372036854775808',
      "a.rpc:1:5: error RPC1004: integer '9223372036854775808' is too big for a 64-bit signed integer",
    ],
    [
      'RPC1004 for a hex magnitude above i64 (as strtoll)',
      'x = -0x8000000000000000',
      "a.rpc:1:5: error RPC1004: integer '-0x8000000000000000' is too big for a 64-bit signed integer",
    ],
    [
      'RPC1010 for an escape Thrift does not know',
      'x = "a\\qb"',
      `a.rpc:1:7: error RPC1010: invalid escape sequence '\\q' (Thrift allows \\n \\r \\t \\" \\' \\\\)`,
    ],
  ])('%s', (_name, text, line) => {
    expect(lex(text).lines).toContain(line);
  });

  it('accepts the i64 limits', () => {
    expect(lex('9223372036854775807 -9223372036854775808 0x7fffffffffffffff').lines).toEqual([]);
  });
});

describe('literal values', () => {
  it.each([
    ['"plain"', 'plain'],
    ["'single'", 'single'],
    ['"a\\tb\\nc\\rd"', 'a\tb\nc\rd'],
    [`"q\\"q\\'q\\\\"`, `q"q'q\\`],
  ])('decodes %s', (image, value) => {
    expect(decodeStringLiteral(image)).toEqual({ value, terminated: true, badEscapes: [] });
  });

  it('reports where bad escapes start and whether the string was closed', () => {
    expect(decodeStringLiteral('"a\\0b\\')).toEqual({ value: 'ab', terminated: false, badEscapes: [2, 5] });
  });

  it.each([
    ['42', 42n],
    ['-42', -42n],
    ['+7', 7n],
    ['0x10', 16n],
    ['-0x10', -16n],
    ['99999999999999999999', 99999999999999999999n],
  ])('reads integer %s exactly', (image, value) => {
    expect(integerLiteralValue(image)).toBe(value);
  });

  it.each([
    ['9223372036854775807', true],
    ['9223372036854775808', false],
    ['-9223372036854775808', true],
    ['-9223372036854775809', false],
    ['0x7fffffffffffffff', true],
    ['0x8000000000000000', false],
    ['-0x8000000000000000', false],
  ])('fitsInI64(%s) is %s', (image, fits) => {
    expect(fitsInI64(image)).toBe(fits);
  });
});

describe('cleanDocComment', () => {
  it.each([
    ['one line', '/** A user. */', 'A user.'],
    ['star gutters', '/**\n * First line.\n * Second line.\n */', 'First line.\nSecond line.'],
    ['indentation inside the gutter is kept', '/**\n * List:\n *   - item\n */', 'List:\n  - item'],
    ['text on the opening line', '/** Starts here\n *  and goes on\n */', 'Starts here\nand goes on'],
    ['no gutter: common indentation removed', '/**\n    Plain\n      indented\n */', 'Plain\n  indented'],
    ['a broken gutter is kept', '/**\n * a\n b\n */', '* a\nb'],
    ['blank edges and CRLF', '/**\r\n *\r\n * Text\r\n *\r\n */', 'Text'],
  ])('%s', (_name, image, text) => {
    expect(cleanDocComment(image)).toBe(text);
  });

  it('is undefined for an empty doc comment', () => {
    expect(cleanDocComment('/** */')).toBeUndefined();
    expect(cleanDocComment('/**\n *\n */')).toBeUndefined();
  });
});
