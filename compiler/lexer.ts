/**
 * Tokens and lexer for the IDL, modelled on Apache Thrift 0.17's `thriftl.ll`.
 *
 * The lexer never fails: characters it cannot match, unterminated strings and comments, bad
 * escapes and integers that overflow i64 become diagnostics, and lexing goes on. Doc comments
 * (`/** ... *\/`) are kept aside so the AST builder can attach them to the next declaration.
 */
import { createToken, Lexer, type IToken, type TokenType } from './chevrotain.js';
import { diagnostic, type Diagnostic } from './diagnostics.js';
import { span, type SourceFile } from './source.js';

/**
 * Category of identifiers and keywords: what the parser takes where a definition, field or
 * function name goes, so that a keyword used as a name gets one precise diagnostic (RPC1005)
 * instead of a cascade of syntax errors.
 */
export const Name = createToken({ name: 'Name', pattern: Lexer.NA, label: 'a name' });

// Identifiers may contain dots (`shared.User`), but never two in a row or a trailing one: the
// pattern is thriftl.ll's `[a-zA-Z_](\.[a-zA-Z_0-9]|[a-zA-Z_0-9])*`.
export const Identifier = createToken({
  name: 'Identifier',
  pattern: /[a-zA-Z_](?:\.[a-zA-Z_0-9]|[a-zA-Z_0-9])*/,
  label: 'an identifier',
  categories: [Name],
});

function keyword(word: string, categories: TokenType[] = []): TokenType {
  return createToken({
    name: `Keyword_${word}`,
    pattern: new RegExp(word),
    longer_alt: Identifier,
    label: `'${word}'`,
    categories: [...categories, Name],
  });
}

/** Category of every token that is an integer constant, `true` and `false` included (as in Thrift). */
export const IntegerLiteral = createToken({ name: 'IntegerLiteral', pattern: Lexer.NA, label: 'an integer' });
/** Category of the base type keywords (`bool`, `i32`, `string`, ...). `uuid` is contextual: see build-ast. */
export const BaseTypeKeyword = createToken({ name: 'BaseTypeKeyword', pattern: Lexer.NA, label: 'a base type' });
/** Category of pre-`namespace` declarations such as `cpp_namespace`, which Thrift 0.17 rejects. */
export const ObsoleteNamespaceKeyword = createToken({
  name: 'ObsoleteNamespaceKeyword',
  pattern: Lexer.NA,
  label: 'an obsolete namespace declaration',
});

export const Include = keyword('include');
export const CppInclude = keyword('cpp_include');
export const Namespace = keyword('namespace');
export const CppType = keyword('cpp_type');
export const Const = keyword('const');
export const Typedef = keyword('typedef');
export const Enum = keyword('enum');
export const Senum = keyword('senum');
export const Struct = keyword('struct');
export const Union = keyword('union');
export const Exception = keyword('exception');
export const Service = keyword('service');
export const Extends = keyword('extends');
export const Throws = keyword('throws');
export const Oneway = keyword('oneway');
export const Async = keyword('async');
export const Void = keyword('void');
export const Required = keyword('required');
export const Optional = keyword('optional');
export const MapKeyword = keyword('map');
export const SetKeyword = keyword('set');
export const ListKeyword = keyword('list');
export const Slist = keyword('slist');
export const XsdAll = keyword('xsd_all');
export const XsdOptional = keyword('xsd_optional');
export const XsdNillable = keyword('xsd_nillable');
export const XsdAttrs = keyword('xsd_attrs');
export const True = keyword('true', [IntegerLiteral]);
export const False = keyword('false', [IntegerLiteral]);

const BASE_TYPE_WORDS = ['bool', 'byte', 'i8', 'i16', 'i32', 'i64', 'double', 'string', 'binary'] as const;
const baseTypeKeywords = BASE_TYPE_WORDS.map((word) => keyword(word, [BaseTypeKeyword]));

/**
 * Old per-language namespace declarations and the `namespace` scope that replaced each, exactly
 * as Thrift 0.17 reports them (`csharp_namespace` is absent: 0.17 lexes it as an identifier).
 */
export const OBSOLETE_NAMESPACE_SCOPES: ReadonlyMap<string, string> = new Map([
  ['cpp_namespace', 'cpp'],
  ['java_package', 'java'],
  ['delphi_namespace', 'delphi'],
  ['php_namespace', 'php'],
  ['py_module', 'py'],
  ['perl_package', 'perl'],
  ['ruby_namespace', 'ruby'],
  ['smalltalk_category', 'st'],
  ['smalltalk_prefix', 'st'],
  ['xsd_namespace', 'xsd'],
]);
const obsoleteNamespaceKeywords = [...OBSOLETE_NAMESPACE_SCOPES.keys()].map((word) =>
  keyword(word, [ObsoleteNamespaceKeyword]),
);

// The string pattern accepts a missing closing quote so that an unterminated string still
// reaches the parser as a string (one diagnostic instead of a cascade); `tokenize` reports it.
// Strings end at a line break, as in Thrift ("End of line while read string").
export const StringLiteral = createToken({
  name: 'StringLiteral',
  pattern: /"(?:[^"\\\r\n]|\\[^\r\n]?)*"?|'(?:[^'\\\r\n]|\\[^\r\n]?)*'?/,
  label: 'a string literal',
});
// Listed before the integers: `1.5`, `.5`, `1e9` (but `e9` is an identifier, as in THRIFT-3477).
export const DoubleLiteral = createToken({
  name: 'DoubleLiteral',
  pattern: /[+-]?(?:[0-9]*\.[0-9]+(?:[eE][+-]?[0-9]+)?|[0-9]+[eE][+-]?[0-9]+)/,
  label: 'a number',
});
export const HexLiteral = createToken({
  name: 'HexLiteral',
  pattern: /[+-]?0x[0-9A-Fa-f]+/,
  categories: [IntegerLiteral],
  label: 'an integer',
});
export const DecimalLiteral = createToken({
  name: 'DecimalLiteral',
  pattern: /[+-]?[0-9]+/,
  categories: [IntegerLiteral],
  label: 'an integer',
});

export const LCurly = createToken({ name: 'LCurly', pattern: /{/, label: "'{'" });
export const RCurly = createToken({ name: 'RCurly', pattern: /}/, label: "'}'" });
export const LParen = createToken({ name: 'LParen', pattern: /\(/, label: "'('" });
export const RParen = createToken({ name: 'RParen', pattern: /\)/, label: "')'" });
export const LBracket = createToken({ name: 'LBracket', pattern: /\[/, label: "'['" });
export const RBracket = createToken({ name: 'RBracket', pattern: /]/, label: "']'" });
export const LAngle = createToken({ name: 'LAngle', pattern: /</, label: "'<'" });
export const RAngle = createToken({ name: 'RAngle', pattern: />/, label: "'>'" });
export const Comma = createToken({ name: 'Comma', pattern: /,/, label: "','" });
export const Semicolon = createToken({ name: 'Semicolon', pattern: /;/, label: "';'" });
export const Colon = createToken({ name: 'Colon', pattern: /:/, label: "':'" });
export const Equals = createToken({ name: 'Equals', pattern: /=/, label: "'='" });
export const Star = createToken({ name: 'Star', pattern: /\*/, label: "'*'" });
export const Ampersand = createToken({ name: 'Ampersand', pattern: /&/, label: "'&'" });

const Whitespace = createToken({ name: 'Whitespace', pattern: /[ \t\r\n]+/, group: Lexer.SKIPPED });
const LineComment = createToken({ name: 'LineComment', pattern: /(?:\/\/|#)[^\r\n]*/, group: Lexer.SKIPPED });
// `/**/` and `/***/` are plain comments in Thrift ("sillycomm"), not empty doc comments.
const StarsComment = createToken({ name: 'StarsComment', pattern: /\/\*\*+\//, group: Lexer.SKIPPED });
/** A `/** ... *\/` comment; kept in the `docs` group, never seen by the parser. */
export const DocComment = createToken({ name: 'DocComment', pattern: /\/\*\*[\s\S]*?\*\//, group: 'docs' });
const BlockComment = createToken({ name: 'BlockComment', pattern: /\/\*[\s\S]*?\*\//, group: Lexer.SKIPPED });
const UnterminatedComment = createToken({ name: 'UnterminatedComment', pattern: /\/\*[\s\S]*/, group: 'problems' });

/** Every token type the parser consumes (categories included), in lexer priority order. */
export const allTokens: TokenType[] = [
  Whitespace,
  LineComment,
  StarsComment,
  DocComment,
  BlockComment,
  UnterminatedComment,
  StringLiteral,
  DoubleLiteral,
  HexLiteral,
  DecimalLiteral,
  IntegerLiteral,
  BaseTypeKeyword,
  ObsoleteNamespaceKeyword,
  Name,
  Include,
  CppInclude,
  Namespace,
  CppType,
  Const,
  Typedef,
  Enum,
  Senum,
  Struct,
  Union,
  Exception,
  Service,
  Extends,
  Throws,
  Oneway,
  Async,
  Void,
  Required,
  Optional,
  MapKeyword,
  SetKeyword,
  ListKeyword,
  Slist,
  XsdAll,
  XsdOptional,
  XsdNillable,
  XsdAttrs,
  True,
  False,
  ...baseTypeKeywords,
  ...obsoleteNamespaceKeywords,
  Identifier,
  LCurly,
  RCurly,
  LParen,
  RParen,
  LBracket,
  RBracket,
  LAngle,
  RAngle,
  Comma,
  Semicolon,
  Colon,
  Equals,
  Star,
  Ampersand,
];

const LEXER_OPTIONS = { positionTracking: 'onlyOffset', ensureOptimizations: true } as const;

// Validating the token definitions takes a part of building the lexer, on every rpcgen run. They
// are fixed, so a test validates them once instead ({@link validateTokens}).
const idlLexer = new Lexer(allTokens, { ...LEXER_OPTIONS, skipValidations: true });

/**
 * Builds a lexer with chevrotain's token validations, which the compiler's own lexer skips:
 * throws when a token definition is invalid (unreachable patterns, bad groups, ...). For tests.
 */
export function validateTokens(): void {
  new Lexer(allTokens, LEXER_OPTIONS);
}

/**
 * Words Thrift's generators refuse as names (`Cannot use reserved language keyword`). This is the
 * list 0.17 applies for every generator except py (checked with `thrift --gen js|java|cpp|go`).
 */
export const RESERVED_WORDS: ReadonlySet<string> = new Set(
  `
  BEGIN END __CLASS__ __DIR__ __FILE__ __FUNCTION__ __LINE__ __METHOD__ __NAMESPACE__ abstract alias
  and args as assert begin break case catch class clone continue declare def default del delete do
  dynamic elif else elseif elsif end enddeclare endfor endforeach endif endswitch endwhile ensure
  except exec finally float for foreach from function global goto if implements import in inline
  instanceof interface is lambda module native new next nil not or package pass public print private
  protected raise redo rescue retry register return self sizeof static super switch synchronized then
  this throw transient try undef unless unsigned until use var virtual volatile when while with xor
  yield
  `
    .trim()
    .split(/\s+/),
);

/** The output of {@link tokenize}. */
export interface LexResult {
  /** Tokens for the parser, in source order (comments and whitespace removed). */
  readonly tokens: IToken[];
  /** `/** ... *\/` comments in source order. */
  readonly docComments: IToken[];
  readonly diagnostics: Diagnostic[];
}

const UTF8_BOM = '\uFEFF';
const MAX_QUOTED_CHARS = 24;

/** Splits `source` into tokens, reporting RPC1001-RPC1004 and RPC1010 problems as diagnostics. */
export function tokenize(source: SourceFile): LexResult {
  // Thrift skips a UTF-8 byte order mark; replacing it keeps every offset unchanged.
  const text = source.text.startsWith(UTF8_BOM) ? ` ${source.text.slice(1)}` : source.text;
  const result = idlLexer.tokenize(text);
  const diagnostics: Diagnostic[] = [];
  const at = (start: number, end: number) => span(source.path, start, end);

  for (const error of result.errors) {
    const bad = text.slice(error.offset, error.offset + error.length);
    const what = [...bad].length === 1 ? 'invalid character' : 'invalid characters';
    diagnostics.push(
      diagnostic('RPC1001', `${what} ${quoteSource(bad)}`, at(error.offset, error.offset + error.length)),
    );
  }
  for (const problem of result.groups['problems'] ?? []) {
    diagnostics.push(
      diagnostic(
        'RPC1003',
        'unterminated block comment: missing "*/"',
        at(problem.startOffset, problem.startOffset + 2),
      ),
    );
  }
  for (const token of result.tokens) {
    // Offset-only tracking is the fastest lexer mode but leaves out end offsets, which the
    // parser's node locations are computed from.
    token.endOffset = token.startOffset + token.image.length - 1;
    if (token.tokenType === StringLiteral) {
      checkStringLiteral(token, source.path, diagnostics);
    } else if (token.tokenType === DecimalLiteral || token.tokenType === HexLiteral) {
      if (!fitsInI64(token.image)) {
        diagnostics.push(
          diagnostic(
            'RPC1004',
            `integer ${quoteSource(token.image)} is too big for a 64-bit signed integer`,
            at(token.startOffset, token.startOffset + token.image.length),
          ),
        );
      }
    }
  }
  return { tokens: result.tokens, docComments: result.groups['docs'] ?? [], diagnostics };
}

const I64_MAX = (1n << 63n) - 1n;
const I64_MIN = -(1n << 63n);

/** The exact value of a decimal or hex integer token (`-0x10` is -16), whatever its size. */
export function integerLiteralValue(image: string): bigint {
  const magnitude = BigInt(image.replace(/^[+-]/, ''));
  return image.startsWith('-') ? -magnitude : magnitude;
}

/**
 * Whether an integer token fits in i64 the way Thrift's `strtoll` reads it: a hex literal's
 * magnitude must fit before its sign is applied, so `-0x8000000000000000` is rejected.
 */
export function fitsInI64(image: string): boolean {
  const value = integerLiteralValue(image);
  if (/^[+-]?0x/.test(image)) return value <= I64_MAX && -value <= I64_MAX;
  return value <= I64_MAX && value >= I64_MIN;
}

/** The decoded contents of a string token, as far as it is valid. */
export interface DecodedString {
  readonly value: string;
  readonly terminated: boolean;
  /** Offsets (relative to the token start) of each backslash that starts an unknown escape. */
  readonly badEscapes: readonly number[];
}

const ESCAPES: Readonly<Record<string, string>> = { n: '\n', r: '\r', t: '\t', '"': '"', "'": "'", '\\': '\\' };

/** Decodes a string token's image with Thrift's escapes (`\n \r \t \" \' \\`). */
export function decodeStringLiteral(image: string): DecodedString {
  const quote = image[0];
  let value = '';
  const badEscapes: number[] = [];
  for (let i = 1; i < image.length; i++) {
    const c = image[i];
    if (c === quote) return { value, terminated: true, badEscapes };
    if (c !== '\\') {
      value += c;
      continue;
    }
    const escaped = image[i + 1];
    const replacement = escaped === undefined ? undefined : ESCAPES[escaped];
    if (replacement === undefined) badEscapes.push(i);
    else value += replacement;
    i++;
  }
  return { value, terminated: false, badEscapes };
}

function checkStringLiteral(token: IToken, file: string, diagnostics: Diagnostic[]): void {
  const decoded = decodeStringLiteral(token.image);
  for (const offset of decoded.badEscapes) {
    const start = token.startOffset + offset;
    const sequence = token.image.slice(offset, offset + 2);
    diagnostics.push(
      diagnostic(
        'RPC1010',
        `invalid escape sequence ${quoteSource(sequence)} (Thrift allows \\n \\r \\t \\" \\' \\\\)`,
        span(file, start, start + sequence.length),
      ),
    );
  }
  if (!decoded.terminated) {
    const end = token.startOffset + token.image.length;
    diagnostics.push(
      diagnostic(
        'RPC1002',
        `unterminated string literal: missing closing ${token.image[0]}`,
        span(file, token.startOffset, end),
      ),
    );
  }
}

/** Source text for a message: quoted, control and non-ASCII characters as `U+XXXX`, shortened. */
export function quoteSource(text: string): string {
  const chars = [...text];
  const shown = chars.slice(0, MAX_QUOTED_CHARS).map((c) => {
    const code = c.codePointAt(0) ?? 0;
    return code < 0x20 || code > 0x7e ? `U+${code.toString(16).toUpperCase().padStart(4, '0')}` : c;
  });
  return `'${shown.join('')}${chars.length > MAX_QUOTED_CHARS ? '...' : ''}'`;
}

/**
 * The text of a doc comment, cleaned like Thrift's `clean_up_doctext`: markers removed, a common
 * `*` gutter removed, then common indentation, trailing spaces and blank edge lines. Undefined
 * when nothing is left.
 */
export function cleanDocComment(image: string): string | undefined {
  const inner = image.slice(3, image.endsWith('*/') ? -2 : undefined).replace(/\r/g, '');
  const lines = inner.split('\n');
  lines[0] = (lines[0] ?? '').trimStart();
  const rest = lines.slice(1).map((line) => (line.trim() === '' ? '' : line));
  const gutter = commonStarGutter(rest);
  const ungutted = gutter === undefined ? rest : rest.map((line) => line.slice(gutter + 1));
  const indent = ungutted.reduce(
    (least, line) => (line === '' ? least : Math.min(least, line.length - line.trimStart().length)),
    Number.POSITIVE_INFINITY,
  );
  const dedented = Number.isFinite(indent) ? ungutted.map((line) => line.slice(indent)) : ungutted;
  const text = [lines[0], ...dedented]
    .map((line) => line.trimEnd())
    .join('\n')
    .trim();
  return text === '' ? undefined : text;
}

/** Column of the `*` gutter when every non-blank line has one at the same column. */
function commonStarGutter(lines: readonly string[]): number | undefined {
  let column: number | undefined;
  for (const line of lines) {
    if (line === '') continue;
    const star = line.length - line.trimStart().length;
    if (line[star] !== '*' || (column !== undefined && star !== column)) return undefined;
    column = star;
  }
  return column;
}
