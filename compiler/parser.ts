/**
 * The chevrotain grammar of the IDL (Apache Thrift 0.17's `thrifty.yy`) and the driver that turns
 * a token vector into concrete syntax trees plus RPC1005 diagnostics.
 *
 * Error recovery is on and every syntax error is reported. Chevrotain recovers inside rules
 * (single token insertion or deletion, re-sync to a follower); when a whole region cannot be
 * parsed, {@link parseTokens} restarts after it at the next header or definition keyword, so one
 * bad definition never hides errors in the rest of the file.
 */
import {
  CstParser,
  EOF,
  type CstNode,
  type IParserErrorMessageProvider,
  type IRecognitionException,
  type IToken,
  type TokenType,
} from './chevrotain.js';
import { diagnostic, type Diagnostic } from './diagnostics.js';
import * as t from './lexer.js';
import { span, type SourceFile, type Span } from './source.js';

/** Deepest nesting of brackets the parser accepts; deeper input is reported instead of overflowing the stack. */
export const MAX_NESTING_DEPTH = 100;

/** Errors one parse run may report before parsing restarts at the next header or definition. */
const MAX_ERRORS_PER_RUN = 50;

/** Tokens at which parsing can restart after an unrecoverable error: every header and definition keyword. */
const RESTART_TOKENS: readonly TokenType[] = [
  t.Include,
  t.CppInclude,
  t.Namespace,
  t.ObsoleteNamespaceKeyword,
  t.Const,
  t.Typedef,
  t.Enum,
  t.Senum,
  t.Struct,
  t.Union,
  t.Exception,
  t.Service,
];

/** What the parser expected, per rule, when it wanted an identifier there. */
const NAME_ROLES: Readonly<Record<string, string>> = {
  constDefinition: 'a constant name',
  typedefDefinition: 'a typedef name',
  enumDefinition: 'an enum name',
  senumDefinition: 'a senum name',
  structDefinition: 'a struct name',
  unionDefinition: 'a union name',
  exceptionDefinition: 'an exception name',
  serviceDefinition: 'a service name',
  enumMember: 'an enum member name',
  field: 'a field name',
  functionDefinition: 'a function name',
  namespaceHeader: 'a namespace name',
  obsoleteNamespaceHeader: 'a namespace name',
  annotation: 'an annotation name',
};

/** What a closing token closes, per rule, for "expected ')' to close ..." messages. */
const CLOSER_CONTEXTS: Readonly<Record<string, string>> = {
  annotations: 'the annotation list',
  functionDefinition: 'the parameter list',
  throwsClause: "the 'throws' list",
  mapType: "the 'map' type",
  setType: "the 'set' type",
  listType: "the 'list' type",
  constList: 'the list literal',
};

const TOP_LEVEL_EXPECTATION = 'a header or definition';
const SEPARATOR_HINT = " (Thrift allows ',' or ';' after a typedef or const, not after other definitions)";

/**
 * Which `{ ... }` block encloses each token ("struct 'User'"), so a missing `}` can say what it
 * should have closed. Computed on first use: only erroneous input needs it.
 */
class BlockContexts {
  private offsets: number[] = [];
  private enclosing: (string | undefined)[] = [];
  private computed = false;

  constructor(private readonly tokens: readonly IToken[]) {}

  /** The innermost open block just before the token at `offset` (or at end of input for NaN). */
  at(offset: number): string | undefined {
    this.compute();
    if (Number.isNaN(offset)) return this.enclosing[this.enclosing.length - 1];
    let lo = 0;
    let hi = this.offsets.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.offsets[mid] ?? 0) < offset) lo = mid + 1;
      else hi = mid;
    }
    return this.enclosing[lo];
  }

  private compute(): void {
    if (this.computed) return;
    this.computed = true;
    const open: string[] = [];
    let pending: string | undefined;
    for (let i = 0; i < this.tokens.length; i++) {
      const token = this.tokens[i];
      if (token === undefined) continue;
      this.offsets.push(token.startOffset);
      this.enclosing.push(open[open.length - 1]);
      const type = token.tokenType;
      if (DEFINITION_KEYWORDS.has(type)) {
        const next = this.tokens[i + 1];
        const word = token.image;
        pending = next !== undefined && isTokenOf(next, t.Name) ? `${word} '${next.image}'` : word;
      } else if (type === t.XsdAttrs) {
        pending = "'xsd_attrs'";
      } else if (type === t.LCurly) {
        open.push(pending ?? 'the map literal');
        pending = undefined;
      } else if (type === t.RCurly) {
        open.pop();
      }
    }
    // A final entry for end of input.
    this.offsets.push(Number.POSITIVE_INFINITY);
    this.enclosing.push(open[open.length - 1]);
  }
}

const DEFINITION_KEYWORDS: ReadonlySet<TokenType> = new Set([
  t.Struct,
  t.Union,
  t.Exception,
  t.Service,
  t.Enum,
  t.Senum,
]);

/** How a token is shown in a message: `'service'`, `'"a string"'`, or `end of file`. */
function describeToken(token: IToken): string {
  if (token.tokenType === EOF || Number.isNaN(token.startOffset)) return 'end of file';
  return t.quoteSource(token.image);
}

/** Chevrotain's hook for error messages, phrased as "expected X, found Y". */
class SyntaxMessages implements IParserErrorMessageProvider {
  blocks = new BlockContexts([]);
  /** Messages built in the current parse run; every one becomes a saved error. */
  count = 0;

  buildMismatchTokenMessage(options: {
    expected: TokenType;
    actual: IToken;
    previous: IToken;
    ruleName: string;
  }): string {
    this.count++;
    const { expected, actual, previous, ruleName } = options;
    const found = describeToken(actual);
    if (expected === EOF) return topLevelMessage(actual);
    if (expected === t.Identifier || expected === t.Name) {
      const role =
        previous.tokenType === t.Extends ? 'the name of the service to extend' : (NAME_ROLES[ruleName] ?? 'a name');
      return `expected ${role}, found ${found}`;
    }
    const label = expected.LABEL ?? expected.name;
    if (expected === t.RCurly) {
      const block = this.blocks.at(actual.startOffset);
      return `expected ${label}${block ? ` to close ${block}` : ''}, found ${found}`;
    }
    const closes = CLOSER_CONTEXTS[ruleName];
    if (closes && (expected === t.RParen || expected === t.RAngle || expected === t.RBracket)) {
      return `expected ${label} to close ${closes}, found ${found}`;
    }
    return `expected ${label}, found ${found}`;
  }

  buildNotAllInputParsedMessage(options: { firstRedundant: IToken; ruleName: string }): string {
    this.count++;
    return topLevelMessage(options.firstRedundant);
  }

  buildNoViableAltMessage(options: {
    expectedPathsPerAlt: TokenType[][][];
    actual: IToken[];
    previous: IToken;
    customUserDescription?: string;
    ruleName: string;
  }): string {
    this.count++;
    const actual = options.actual[0];
    const found = actual ? describeToken(actual) : 'end of file';
    return `expected ${options.customUserDescription ?? 'something else'}, found ${found}`;
  }

  buildEarlyExitMessage(options: {
    expectedIterationPaths: TokenType[][];
    actual: IToken[];
    previous: IToken;
    customUserDescription?: string;
    ruleName: string;
  }): string {
    this.count++;
    const actual = options.actual[0];
    const found = actual ? describeToken(actual) : 'end of file';
    return `expected ${options.customUserDescription ?? 'at least one item'}, found ${found}`;
  }
}

/** The message for a token that cannot start a header or definition. */
export function topLevelMessage(actual: IToken): string {
  const hint = actual.tokenType === t.Semicolon || actual.tokenType === t.Comma ? SEPARATOR_HINT : '';
  return `expected ${TOP_LEVEL_EXPECTATION}, found ${describeToken(actual)}${hint}`;
}

/**
 * The grammar. Rule and label names are what `build-ast.ts` reads from the CST. Separators
 * (`,`/`;`) are consumed by the enclosing list, so an item's CST location never includes them.
 */
class IdlParser extends CstParser {
  /**
   * Gate on every repetition: once a run has {@link MAX_ERRORS_PER_RUN} errors, repetitions stop
   * so the run ends and {@link parseTokens} restarts. Chevrotain re-enters a repetition
   * recursively after each error it recovers inside it, so unbounded errors in one run (a file of
   * stray tokens) would otherwise overflow the stack.
   */
  private readonly belowErrorLimit = (): boolean => this.messages.count < MAX_ERRORS_PER_RUN;

  constructor(
    private readonly messages: SyntaxMessages,
    validate: boolean,
  ) {
    super(t.allTokens, {
      recoveryEnabled: true,
      nodeLocationTracking: 'onlyOffset',
      errorMessageProvider: messages,
      maxLookahead: 2,
      // Validating the grammar is a good part of building the parser, on every rpcgen run. The
      // grammar is fixed, so a test validates it once instead ({@link validateGrammar}).
      skipValidations: !validate,
    });
    this.performSelfAnalysis();
  }

  readonly document = this.RULE('document', () => {
    this.MANY({
      GATE: this.belowErrorLimit,
      DEF: () => {
        this.OR([
          { ALT: () => this.SUBRULE(this.header) },
          { ALT: () => this.SUBRULE(this.definition) },
          // `struct A {};` is a common habit that Thrift rejects. Taking the separator here lets
          // build-ast report it in one line, where chevrotain's recovery would rescan the rest of
          // the file for each one.
          { ALT: () => this.SUBRULE(this.separator, { LABEL: 'straySeparator' }) },
        ]);
      },
    });
  });

  readonly header = this.RULE('header', () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.includeHeader) },
      { ALT: () => this.SUBRULE(this.cppIncludeHeader) },
      { ALT: () => this.SUBRULE(this.namespaceHeader) },
      { ALT: () => this.SUBRULE(this.obsoleteNamespaceHeader) },
    ]);
  });

  readonly includeHeader = this.RULE('includeHeader', () => {
    this.CONSUME(t.Include);
    this.CONSUME(t.StringLiteral, { LABEL: 'path' });
  });

  readonly cppIncludeHeader = this.RULE('cppIncludeHeader', () => {
    this.CONSUME(t.CppInclude);
    this.CONSUME(t.StringLiteral, { LABEL: 'path' });
  });

  readonly namespaceHeader = this.RULE('namespaceHeader', () => {
    this.CONSUME(t.Namespace);
    this.OR({
      DEF: [
        { ALT: () => this.CONSUME(t.Star, { LABEL: 'scope' }) },
        { ALT: () => this.CONSUME(t.Identifier, { LABEL: 'scope' }) },
      ],
      ERR_MSG: "a namespace scope (a language such as 'java', or '*')",
    });
    this.CONSUME2(t.Identifier, { LABEL: 'name' });
    this.OPTION(() => this.SUBRULE(this.annotations));
  });

  readonly obsoleteNamespaceHeader = this.RULE('obsoleteNamespaceHeader', () => {
    this.CONSUME(t.ObsoleteNamespaceKeyword, { LABEL: 'keyword' });
    this.CONSUME(t.Identifier, { LABEL: 'name' });
  });

  readonly definition = this.RULE('definition', () => {
    this.OR([
      {
        ALT: () => {
          this.SUBRULE(this.constDefinition);
          this.OPTION(() => this.SUBRULE(this.separator));
        },
      },
      {
        ALT: () => {
          this.SUBRULE(this.typedefDefinition);
          this.OPTION2(() => this.SUBRULE2(this.separator));
        },
      },
      { ALT: () => this.SUBRULE(this.enumDefinition) },
      { ALT: () => this.SUBRULE(this.senumDefinition) },
      { ALT: () => this.SUBRULE(this.structDefinition) },
      { ALT: () => this.SUBRULE(this.unionDefinition) },
      { ALT: () => this.SUBRULE(this.exceptionDefinition) },
      { ALT: () => this.SUBRULE(this.serviceDefinition) },
    ]);
  });

  readonly constDefinition = this.RULE('constDefinition', () => {
    this.CONSUME(t.Const);
    this.SUBRULE(this.fieldType, { ARGS: ['a constant type'] });
    this.CONSUME(t.Name, { LABEL: 'name' });
    this.CONSUME(t.Equals);
    this.SUBRULE(this.constValue);
  });

  readonly typedefDefinition = this.RULE('typedefDefinition', () => {
    this.CONSUME(t.Typedef);
    this.SUBRULE(this.fieldType, { ARGS: ['the type to alias'] });
    this.CONSUME(t.Name, { LABEL: 'name' });
    this.OPTION(() => this.SUBRULE(this.annotations));
  });

  readonly enumDefinition = this.RULE('enumDefinition', () => {
    this.CONSUME(t.Enum);
    this.CONSUME(t.Name, { LABEL: 'name' });
    this.CONSUME(t.LCurly);
    this.MANY({
      GATE: this.belowErrorLimit,
      DEF: () => {
        this.SUBRULE(this.enumMember);
        this.OPTION(() => this.SUBRULE(this.separator));
      },
    });
    this.CONSUME(t.RCurly);
    this.OPTION2(() => this.SUBRULE(this.annotations));
  });

  readonly enumMember = this.RULE('enumMember', () => {
    this.CONSUME(t.Identifier, { LABEL: 'name' });
    this.OPTION(() => {
      this.CONSUME(t.Equals);
      this.CONSUME(t.IntegerLiteral, { LABEL: 'value' });
    });
    this.OPTION2(() => this.SUBRULE(this.annotations));
  });

  readonly senumDefinition = this.RULE('senumDefinition', () => {
    this.CONSUME(t.Senum);
    this.CONSUME(t.Name, { LABEL: 'name' });
    this.CONSUME(t.LCurly);
    this.MANY({
      GATE: this.belowErrorLimit,
      DEF: () => {
        this.CONSUME(t.StringLiteral);
        this.OPTION(() => this.SUBRULE(this.separator));
      },
    });
    this.CONSUME(t.RCurly);
    this.OPTION2(() => this.SUBRULE(this.annotations));
  });

  readonly structDefinition = this.RULE('structDefinition', () => {
    this.CONSUME(t.Struct, { LABEL: 'keyword' });
    this.CONSUME(t.Name, { LABEL: 'name' });
    this.OPTION(() => this.CONSUME(t.XsdAll));
    this.SUBRULE(this.fieldBlock);
    this.OPTION2(() => this.SUBRULE(this.annotations));
  });

  readonly unionDefinition = this.RULE('unionDefinition', () => {
    this.CONSUME(t.Union, { LABEL: 'keyword' });
    this.CONSUME(t.Name, { LABEL: 'name' });
    this.OPTION(() => this.CONSUME(t.XsdAll));
    this.SUBRULE(this.fieldBlock);
    this.OPTION2(() => this.SUBRULE(this.annotations));
  });

  readonly exceptionDefinition = this.RULE('exceptionDefinition', () => {
    this.CONSUME(t.Exception, { LABEL: 'keyword' });
    this.CONSUME(t.Name, { LABEL: 'name' });
    this.SUBRULE(this.fieldBlock);
    this.OPTION(() => this.SUBRULE(this.annotations));
  });

  readonly fieldBlock = this.RULE('fieldBlock', () => {
    this.CONSUME(t.LCurly);
    this.MANY({
      GATE: this.belowErrorLimit,
      DEF: () => {
        this.SUBRULE(this.field);
        this.OPTION(() => this.SUBRULE(this.separator));
      },
    });
    this.CONSUME(t.RCurly);
  });

  readonly field = this.RULE('field', () => {
    this.OPTION(() => {
      this.CONSUME(t.IntegerLiteral, { LABEL: 'id' });
      this.CONSUME(t.Colon);
    });
    this.OPTION2(() =>
      this.OR([
        { ALT: () => this.CONSUME(t.Required, { LABEL: 'requiredness' }) },
        { ALT: () => this.CONSUME(t.Optional, { LABEL: 'requiredness' }) },
      ]),
    );
    this.SUBRULE(this.fieldType, { ARGS: ['a field type'] });
    // `&` marks a C++ reference field; it means nothing outside C++.
    this.OPTION3(() => this.CONSUME(t.Ampersand));
    this.CONSUME(t.Name, { LABEL: 'name' });
    this.OPTION4(() => {
      this.CONSUME(t.Equals);
      this.SUBRULE(this.constValue, { LABEL: 'defaultValue' });
    });
    // The xsd_* markers only matter to Thrift's XSD generator; they are parsed and dropped.
    this.OPTION5(() => this.CONSUME(t.XsdOptional));
    this.OPTION6(() => this.CONSUME(t.XsdNillable));
    this.OPTION7(() => {
      this.CONSUME(t.XsdAttrs);
      this.SUBRULE(this.fieldBlock, { LABEL: 'xsdAttributes' });
    });
    this.OPTION8(() => this.SUBRULE(this.annotations));
  });

  readonly serviceDefinition = this.RULE('serviceDefinition', () => {
    this.CONSUME(t.Service);
    this.CONSUME(t.Name, { LABEL: 'name' });
    this.OPTION(() => {
      this.CONSUME(t.Extends);
      this.CONSUME2(t.Identifier, { LABEL: 'base' });
    });
    this.CONSUME(t.LCurly);
    this.MANY({
      GATE: this.belowErrorLimit,
      DEF: () => {
        this.SUBRULE(this.functionDefinition);
        this.OPTION2(() => this.SUBRULE(this.separator));
      },
    });
    this.CONSUME(t.RCurly);
    this.OPTION3(() => this.SUBRULE(this.annotations));
  });

  readonly functionDefinition = this.RULE('functionDefinition', () => {
    this.OPTION(() =>
      this.OR([
        { ALT: () => this.CONSUME(t.Oneway, { LABEL: 'oneway' }) },
        { ALT: () => this.CONSUME(t.Async, { LABEL: 'oneway' }) },
      ]),
    );
    this.OR2({
      DEF: [
        { ALT: () => this.CONSUME(t.Void) },
        { ALT: () => this.SUBRULE(this.fieldType, { ARGS: ['a return type'] }) },
      ],
      ERR_MSG: 'a return type',
    });
    this.CONSUME(t.Name, { LABEL: 'name' });
    this.CONSUME(t.LParen);
    this.MANY({
      GATE: this.belowErrorLimit,
      DEF: () => {
        this.SUBRULE(this.field);
        this.OPTION2(() => this.SUBRULE(this.separator));
      },
    });
    this.CONSUME(t.RParen);
    this.OPTION3(() => this.SUBRULE(this.throwsClause));
    this.OPTION4(() => this.SUBRULE(this.annotations));
  });

  readonly throwsClause = this.RULE('throwsClause', () => {
    this.CONSUME(t.Throws);
    this.CONSUME(t.LParen);
    this.MANY({
      GATE: this.belowErrorLimit,
      DEF: () => {
        this.SUBRULE(this.field);
        this.OPTION(() => this.SUBRULE(this.separator));
      },
    });
    this.CONSUME(t.RParen);
  });

  readonly fieldType = this.RULE('fieldType', (role?: string) => {
    this.OR({
      DEF: [
        {
          ALT: () => {
            this.CONSUME(t.Identifier, { LABEL: 'named' });
            // Thrift rejects annotations here; parsing them anyway gives one precise error.
            this.OPTION(() => this.SUBRULE(this.annotations));
          },
        },
        {
          ALT: () => {
            this.CONSUME(t.BaseTypeKeyword, { LABEL: 'base' });
            this.OPTION2(() => this.SUBRULE2(this.annotations));
          },
        },
        {
          ALT: () => {
            this.CONSUME(t.Slist, { LABEL: 'slist' });
            this.OPTION3(() => this.SUBRULE3(this.annotations));
          },
        },
        { ALT: () => this.SUBRULE(this.mapType) },
        { ALT: () => this.SUBRULE(this.setType) },
        { ALT: () => this.SUBRULE(this.listType) },
      ],
      ERR_MSG: role ?? 'a type',
    });
  });

  readonly mapType = this.RULE('mapType', () => {
    this.CONSUME(t.MapKeyword);
    this.OPTION(() => this.SUBRULE(this.cppType));
    this.CONSUME(t.LAngle);
    this.SUBRULE(this.fieldType, { LABEL: 'key', ARGS: ['a key type'] });
    this.CONSUME(t.Comma);
    this.SUBRULE2(this.fieldType, { LABEL: 'value', ARGS: ['a value type'] });
    this.CONSUME(t.RAngle);
    this.OPTION2(() => this.SUBRULE(this.annotations));
  });

  readonly setType = this.RULE('setType', () => {
    this.CONSUME(t.SetKeyword);
    this.OPTION(() => this.SUBRULE(this.cppType));
    this.CONSUME(t.LAngle);
    this.SUBRULE(this.fieldType, { LABEL: 'element', ARGS: ['an element type'] });
    this.CONSUME(t.RAngle);
    this.OPTION2(() => this.SUBRULE(this.annotations));
  });

  // Thrift 0.17 takes `cpp_type` after `list<T>`; later versions take it before `<` as for map
  // and set. Both are accepted and, like every cpp_type, ignored.
  readonly listType = this.RULE('listType', () => {
    this.CONSUME(t.ListKeyword);
    this.OPTION(() => this.SUBRULE(this.cppType));
    this.CONSUME(t.LAngle);
    this.SUBRULE(this.fieldType, { LABEL: 'element', ARGS: ['an element type'] });
    this.CONSUME(t.RAngle);
    this.OPTION2(() => this.SUBRULE2(this.cppType));
    this.OPTION3(() => this.SUBRULE(this.annotations));
  });

  readonly cppType = this.RULE('cppType', () => {
    this.CONSUME(t.CppType);
    this.CONSUME(t.StringLiteral);
  });

  readonly annotations = this.RULE('annotations', () => {
    this.CONSUME(t.LParen);
    this.MANY({
      GATE: this.belowErrorLimit,
      DEF: () => {
        this.SUBRULE(this.annotation);
        this.OPTION(() => this.SUBRULE(this.separator));
      },
    });
    this.CONSUME(t.RParen);
  });

  readonly annotation = this.RULE('annotation', () => {
    this.CONSUME(t.Identifier, { LABEL: 'key' });
    this.OPTION(() => {
      this.CONSUME(t.Equals);
      this.CONSUME(t.StringLiteral, { LABEL: 'value' });
    });
  });

  readonly constValue = this.RULE('constValue', () => {
    this.OR({
      DEF: [
        { ALT: () => this.CONSUME(t.IntegerLiteral, { LABEL: 'integer' }) },
        { ALT: () => this.CONSUME(t.DoubleLiteral, { LABEL: 'double' }) },
        { ALT: () => this.CONSUME(t.StringLiteral, { LABEL: 'string' }) },
        { ALT: () => this.CONSUME(t.Identifier, { LABEL: 'identifier' }) },
        { ALT: () => this.SUBRULE(this.constList) },
        { ALT: () => this.SUBRULE(this.constMap) },
      ],
      ERR_MSG: 'a constant value',
    });
  });

  readonly constList = this.RULE('constList', () => {
    this.CONSUME(t.LBracket);
    this.MANY({
      GATE: this.belowErrorLimit,
      DEF: () => {
        this.SUBRULE(this.constValue);
        this.OPTION(() => this.SUBRULE(this.separator));
      },
    });
    this.CONSUME(t.RBracket);
  });

  readonly constMap = this.RULE('constMap', () => {
    this.CONSUME(t.LCurly);
    this.MANY({
      GATE: this.belowErrorLimit,
      DEF: () => {
        this.SUBRULE(this.constMapEntry);
        this.OPTION(() => this.SUBRULE(this.separator));
      },
    });
    this.CONSUME(t.RCurly);
  });

  readonly constMapEntry = this.RULE('constMapEntry', () => {
    this.SUBRULE(this.constValue, { LABEL: 'key' });
    this.CONSUME(t.Colon);
    this.SUBRULE2(this.constValue, { LABEL: 'value' });
  });

  readonly separator = this.RULE('separator', () => {
    this.OR([{ ALT: () => this.CONSUME(t.Comma) }, { ALT: () => this.CONSUME(t.Semicolon) }]);
  });
}

const messages = new SyntaxMessages();
// Built once: grammar analysis is the expensive part, parsing itself is cheap.
const parser = new IdlParser(messages, false);

/**
 * Builds a parser with chevrotain's grammar validations, which the compiler's own parser skips:
 * throws when the grammar has a definition error (ambiguity, left recursion, ...). For tests.
 */
export function validateGrammar(): void {
  new IdlParser(new SyntaxMessages(), true);
}

/** The output of {@link parseTokens}. */
export interface CstParseResult {
  /** One `document` CST per parse run (several when parsing restarted after an error), in source order. */
  readonly documents: CstNode[];
  readonly diagnostics: Diagnostic[];
}

/**
 * Parses `tokens` (from `tokenize`) into `document` CSTs, reporting every syntax error as RPC1005.
 * Never throws.
 */
export function parseTokens(tokens: readonly IToken[], source: SourceFile): CstParseResult {
  const diagnostics: Diagnostic[] = [];
  const endOfFile = source.text.length;
  const tooDeep = firstTooDeepToken(tokens);
  let input = tokens;
  if (tooDeep !== undefined) {
    const token = tokens[tooDeep];
    const start = token?.startOffset ?? endOfFile;
    diagnostics.push(
      diagnostic(
        'RPC1005',
        `nesting is deeper than ${MAX_NESTING_DEPTH} levels; the rest of the file is not parsed`,
        span(source.path, start, start + (token?.image.length ?? 0)),
      ),
    );
    input = tokens.slice(0, tooDeep);
  }
  // Errors at or after the cut are artefacts of the cut, not of the input.
  const reportBefore = tooDeep === undefined ? Number.POSITIVE_INFINITY : (tokens[tooDeep]?.startOffset ?? endOfFile);

  messages.blocks = new BlockContexts(input);
  const documents: CstNode[] = [];
  const seen = new Set<string>();
  let start = 0;
  while (start < input.length || documents.length === 0) {
    parser.input = start === 0 ? [...input] : input.slice(start);
    messages.count = 0;
    const document = parser.document();
    documents.push(document);
    const errors = parser.errors.slice(0, MAX_ERRORS_PER_RUN);
    for (const error of errors) {
      const at = errorSpan(error, source);
      if (at.start >= reportBefore) continue;
      const key = `${at.start}:${error.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      diagnostics.push(diagnostic('RPC1005', error.message, at));
    }
    const resumeAfter = errors.length === MAX_ERRORS_PER_RUN ? lastErrorToken(errors) : unparsedToken(errors, document);
    if (resumeAfter === undefined) break;
    const index = input.indexOf(resumeAfter, start);
    if (index < 0) break;
    start = nextRestartIndex(input, index + 1);
  }
  return { documents, diagnostics };
}

/**
 * The token after which input was left unparsed: the redundant token when the top-level rule
 * stopped early, or the last error's token when the top-level rule re-synced to end of input.
 */
function unparsedToken(errors: readonly IRecognitionException[], document: CstNode): IToken | undefined {
  const notAllParsed = errors.find((e) => e.name === 'NotAllInputParsedException');
  const candidate = notAllParsed ?? (document.recoveredNode ? errors[errors.length - 1] : undefined);
  const token = candidate?.token;
  if (token === undefined || token.tokenType === EOF || Number.isNaN(token.startOffset)) return undefined;
  return token;
}

function lastErrorToken(errors: readonly IRecognitionException[]): IToken | undefined {
  const token = errors[errors.length - 1]?.token;
  if (token === undefined || token.tokenType === EOF || Number.isNaN(token.startOffset)) return undefined;
  return token;
}

function nextRestartIndex(tokens: readonly IToken[], from: number): number {
  let i = from;
  while (i < tokens.length) {
    const token = tokens[i];
    if (token !== undefined && RESTART_TOKENS.some((type) => isTokenOf(token, type))) break;
    i++;
  }
  return i;
}

function isTokenOf(token: IToken, type: TokenType): boolean {
  return token.tokenType === type || (token.tokenType.CATEGORIES ?? []).includes(type);
}

function errorSpan(error: IRecognitionException, source: SourceFile): Span {
  const token = error.token;
  if (token.tokenType === EOF || Number.isNaN(token.startOffset)) {
    return span(source.path, source.text.length, source.text.length);
  }
  return span(source.path, token.startOffset, token.startOffset + token.image.length);
}

const OPENERS: ReadonlySet<TokenType> = new Set([t.LCurly, t.LParen, t.LBracket, t.LAngle]);
const CLOSERS: ReadonlySet<TokenType> = new Set([t.RCurly, t.RParen, t.RBracket, t.RAngle]);

/** Index of the first opening bracket nested deeper than {@link MAX_NESTING_DEPTH}, if any. */
function firstTooDeepToken(tokens: readonly IToken[]): number | undefined {
  let depth = 0;
  for (let i = 0; i < tokens.length; i++) {
    const type = tokens[i]?.tokenType;
    if (type === undefined) continue;
    if (OPENERS.has(type)) {
      depth++;
      if (depth > MAX_NESTING_DEPTH) return i;
    } else if (CLOSERS.has(type)) {
      depth = Math.max(0, depth - 1);
    }
  }
  return undefined;
}
