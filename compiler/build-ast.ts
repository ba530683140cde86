/**
 * The front end's entry point: source text -> tokens -> CST -> {@link Document}, with every
 * lexical, syntactic and Thrift-compatibility problem reported as a diagnostic.
 *
 * The CST walk tolerates the partial nodes chevrotain's error recovery leaves behind: a node that
 * lacks a part it cannot do without (a name, a type) is dropped, everything else is kept, so
 * later stages see the best document the input allows.
 */
import type { CstElement, CstNode, IToken } from './chevrotain.js';
import type {
  Annotation,
  BaseTypeName,
  BaseTypeRef,
  ConstValue,
  Definition,
  Document,
  EnumMember,
  Field,
  FunctionDefinition,
  Header,
  Identifier,
  IntLiteral,
  ServiceDefinition,
  StructDefinition,
  TypeRef,
} from './ast.js';
import { diagnostic, sortDiagnostics, type Diagnostic } from './diagnostics.js';
import * as t from './lexer.js';
import { parseTokens, topLevelMessage } from './parser.js';
import { span, type SourceFile, type Span } from './source.js';

/**
 * Parses one IDL file. Never throws: every problem is a diagnostic, and the returned document
 * holds everything that could be understood.
 */
export function parseDocument(source: SourceFile): { document: Document; diagnostics: Diagnostic[] } {
  try {
    const lexed = t.tokenize(source);
    const parsed = parseTokens(lexed.tokens, source);
    const builder = new AstBuilder(source, docsByNextToken(lexed.docComments, lexed.tokens));
    for (const cst of parsed.documents) builder.addDocument(cst);
    const diagnostics = sortDiagnostics([...lexed.diagnostics, ...parsed.diagnostics, ...builder.diagnostics]);
    return { document: builder.document(), diagnostics };
  } catch (error) {
    // The bracket-depth and per-run error limits keep the recursive parser well inside the
    // stack; this is the last line of defence for input shapes those limits do not foresee.
    if (!(error instanceof RangeError && error.message.includes('call stack'))) throw error;
    const at = span(source.path, 0, 0);
    return {
      document: { path: source.path, headers: [], definitions: [] },
      diagnostics: [diagnostic('RPC1005', 'the file is too deeply nested to parse', at)],
    };
  }
}

/** Maps the start offset of a token to the cleaned doc comment right before it (the last one wins). */
function docsByNextToken(docComments: readonly IToken[], tokens: readonly IToken[]): Map<number, string> {
  const docs = new Map<number, string>();
  let next = 0;
  for (const comment of docComments) {
    while (next < tokens.length && (tokens[next]?.startOffset ?? 0) < comment.startOffset) next++;
    const token = tokens[next];
    const text = t.cleanDocComment(comment.image);
    if (token === undefined) continue;
    if (text === undefined) docs.delete(token.startOffset);
    else docs.set(token.startOffset, text);
  }
  return docs;
}

const HEADER_KEYWORDS: Readonly<Record<string, string>> = {
  includeHeader: 'include',
  cppIncludeHeader: 'cpp_include',
  namespaceHeader: 'namespace',
};

/** AST node types are readonly; optional properties are set on the node while it is being built. */
type Mutable<T> = { -readonly [K in keyof T]: T[K] };

interface Extent {
  readonly start: number;
  readonly end: number;
}

class AstBuilder {
  readonly diagnostics: Diagnostic[] = [];
  private readonly headers: Header[] = [];
  private readonly definitions: Definition[] = [];
  private firstDefinitionStart = Number.POSITIVE_INFINITY;
  private byteReported = false;

  constructor(
    private readonly source: SourceFile,
    private readonly docs: ReadonlyMap<number, string>,
  ) {}

  document(): Document {
    return { path: this.source.path, headers: this.headers, definitions: this.definitions };
  }

  addDocument(cst: CstNode): void {
    for (const separator of nodes(cst, 'straySeparator')) {
      const stray = firstToken(separator);
      if (stray) this.report('RPC1005', topLevelMessage(stray), this.tokenSpan(stray));
    }
    const entries = [...nodes(cst, 'header'), ...nodes(cst, 'definition')]
      .map((node) => ({ node, start: this.extent(node)?.start ?? Number.POSITIVE_INFINITY }))
      .sort((a, b) => a.start - b.start);
    for (const { node } of entries) {
      if (node.name === 'header') this.header(node);
      else this.definition(node);
    }
  }

  // Headers.

  private header(node: CstNode): void {
    const inner = firstChildNode(node);
    if (inner === undefined) return;
    const at = this.spanOf(inner);
    if (at === undefined) return;
    const keyword = HEADER_KEYWORDS[inner.name];
    if (keyword !== undefined && at.start > this.firstDefinitionStart) {
      this.report(
        'RPC1005',
        `'${keyword}' must come before the first definition, as Thrift requires`,
        this.keywordSpan(inner, at),
      );
    }
    switch (inner.name) {
      case 'includeHeader': {
        const path = token(inner, 'path');
        if (path === undefined) return;
        this.headers.push({ kind: 'include', path: stringValue(path), pathSpan: this.tokenSpan(path), span: at });
        return;
      }
      case 'cppIncludeHeader': {
        const path = token(inner, 'path');
        if (path === undefined) return;
        this.headers.push({ kind: 'cpp_include', path: stringValue(path), span: at });
        return;
      }
      case 'namespaceHeader': {
        const scope = token(inner, 'scope');
        const name = token(inner, 'name');
        if (scope === undefined || name === undefined) return;
        const annotationsNode = node1(inner, 'annotations');
        if (scope.image === '*' && annotationsNode !== undefined) {
          this.report('RPC1005', "annotations are not allowed on 'namespace *'", this.spanOf(annotationsNode));
        }
        this.headers.push({
          kind: 'namespace',
          scope: scope.image,
          name: name.image,
          annotations: this.annotations(annotationsNode),
          span: at,
        });
        return;
      }
      case 'obsoleteNamespaceHeader': {
        const keywordToken = token(inner, 'keyword');
        if (keywordToken === undefined) return;
        const scope = t.OBSOLETE_NAMESPACE_SCOPES.get(keywordToken.image) ?? keywordToken.image;
        this.report(
          'RPC1007',
          `'${keywordToken.image}' is no longer supported; use 'namespace ${scope}' instead`,
          this.tokenSpan(keywordToken),
        );
        return;
      }
    }
  }

  private keywordSpan(node: CstNode, fallback: Span): Span {
    const first = firstToken(node);
    return first === undefined ? fallback : this.tokenSpan(first);
  }

  // Definitions.

  private definition(node: CstNode): void {
    const inner = firstChildNode(node);
    if (inner === undefined) return;
    const at = this.spanOf(inner);
    if (at === undefined) return;
    this.firstDefinitionStart = Math.min(this.firstDefinitionStart, at.start);
    const built = this.definitionOf(inner, at);
    if (built !== undefined) this.definitions.push(built);
  }

  private definitionOf(node: CstNode, at: Span): Definition | undefined {
    const doc = this.docs.get(at.start);
    switch (node.name) {
      case 'constDefinition': {
        const name = this.definitionName(node);
        const type = this.typeRef(node1(node, 'fieldType'));
        const value = this.constValue(node1(node, 'constValue'));
        if (name === undefined || type === undefined || value === undefined) return undefined;
        return { kind: 'const', name, type, value, annotations: [], doc, span: at };
      }
      case 'typedefDefinition': {
        const name = this.definitionName(node);
        const type = this.typeRef(node1(node, 'fieldType'));
        if (name === undefined || type === undefined) return undefined;
        return {
          kind: 'typedef',
          name,
          type,
          annotations: this.annotations(node1(node, 'annotations')),
          doc,
          span: at,
        };
      }
      case 'enumDefinition': {
        const name = this.definitionName(node);
        if (name === undefined) return undefined;
        const members = nodes(node, 'enumMember').flatMap((member) => this.enumMember(member) ?? []);
        return {
          kind: 'enum',
          name,
          members,
          annotations: this.annotations(node1(node, 'annotations')),
          doc,
          span: at,
        };
      }
      case 'senumDefinition': {
        const keyword = firstToken(node);
        this.report(
          'RPC1007',
          "'senum' is no longer supported; use 'string' instead",
          keyword ? this.tokenSpan(keyword) : at,
        );
        return undefined;
      }
      case 'structDefinition':
        return this.structLike('struct', node, at, doc);
      case 'unionDefinition':
        return this.structLike('union', node, at, doc);
      case 'exceptionDefinition':
        return this.structLike('exception', node, at, doc);
      case 'serviceDefinition': {
        const name = this.definitionName(node);
        if (name === undefined) return undefined;
        const service: Mutable<ServiceDefinition> = {
          kind: 'service',
          name,
          functions: nodes(node, 'functionDefinition').flatMap((fn) => this.functionDefinition(fn) ?? []),
          annotations: this.annotations(node1(node, 'annotations')),
          doc,
          span: at,
        };
        const base = token(node, 'base');
        if (base) service.extends = this.identifier(base);
        return service;
      }
      default:
        return undefined;
    }
  }

  private structLike(
    kind: StructDefinition['kind'],
    node: CstNode,
    at: Span,
    doc: string | undefined,
  ): StructDefinition | undefined {
    const name = this.definitionName(node);
    if (name === undefined) return undefined;
    const block = node1(node, 'fieldBlock');
    const fields = block ? this.fields(nodes(block, 'field')) : [];
    return { kind, name, fields, annotations: this.annotations(node1(node, 'annotations')), doc, span: at };
  }

  private enumMember(node: CstNode): EnumMember | undefined {
    const at = this.spanOf(node);
    const name = this.definitionName(node);
    if (at === undefined || name === undefined) return undefined;
    const member: Mutable<EnumMember> = {
      name,
      annotations: this.annotations(node1(node, 'annotations')),
      doc: this.docs.get(at.start),
      span: at,
    };
    const value = token(node, 'value');
    if (value) member.value = this.intLiteral(value);
    return member;
  }

  private fields(fieldNodes: readonly CstNode[]): Field[] {
    return fieldNodes.flatMap((node) => this.field(node) ?? []);
  }

  private field(node: CstNode): Field | undefined {
    const at = this.spanOf(node);
    const name = this.definitionName(node);
    const type = this.typeRef(node1(node, 'fieldType'));
    if (at === undefined || name === undefined || type === undefined) return undefined;
    const requiredness = token(node, 'requiredness');
    const field: Mutable<Field> = {
      requiredness:
        requiredness?.image === 'required' ? 'required' : requiredness?.image === 'optional' ? 'optional' : 'default',
      type,
      name,
      annotations: this.annotations(node1(node, 'annotations')),
      doc: this.docs.get(at.start),
      span: at,
    };
    const id = token(node, 'id');
    if (id) field.id = this.intLiteral(id);
    if (requiredness) field.requirednessSpan = this.tokenSpan(requiredness);
    const defaultValue = this.constValue(node1(node, 'defaultValue'));
    if (defaultValue) field.defaultValue = defaultValue;
    return field;
  }

  private functionDefinition(node: CstNode): FunctionDefinition | undefined {
    const at = this.spanOf(node);
    const name = this.definitionName(node);
    const voidToken = token(node, t.Void.name);
    const returnType = voidToken
      ? { kind: 'void' as const, span: this.tokenSpan(voidToken) }
      : this.typeRef(node1(node, 'fieldType'));
    if (at === undefined || name === undefined || returnType === undefined) return undefined;
    const oneway = token(node, 'oneway');
    if (oneway?.tokenType === t.Async) {
      this.report('RPC1008', "'async' is deprecated; use 'oneway'", this.tokenSpan(oneway));
    }
    const throwsClause = node1(node, 'throwsClause');
    const fn: Mutable<FunctionDefinition> = {
      name,
      oneway: oneway !== undefined,
      returnType,
      params: this.fields(nodes(node, 'field')),
      throws: throwsClause ? this.fields(nodes(throwsClause, 'field')) : [],
      annotations: this.annotations(node1(node, 'annotations')),
      doc: this.docs.get(at.start),
      span: at,
    };
    if (oneway) fn.onewaySpan = this.tokenSpan(oneway);
    const throwsKeyword = throwsClause ? firstToken(throwsClause) : undefined;
    if (throwsKeyword) fn.throwsSpan = this.tokenSpan(throwsKeyword);
    return fn;
  }

  /**
   * The `name` of a definition, member, field or function, checked as Thrift checks it: no dots
   * (`validate_simple_identifier`) and no reserved word.
   */
  private definitionName(node: CstNode): Identifier | undefined {
    const nameToken = token(node, 'name');
    if (nameToken === undefined) return undefined;
    const name = this.identifier(nameToken);
    if (nameToken.tokenType !== t.Identifier) {
      this.report('RPC1005', `'${name.name}' is a keyword and cannot be used as a name`, name.span);
    } else if (name.name.includes('.')) {
      this.report('RPC1009', `name '${name.name}' cannot contain a dot`, name.span);
    } else if (t.RESERVED_WORDS.has(name.name)) {
      this.report('RPC1006', `cannot use reserved language keyword '${name.name}' as a name`, name.span);
    }
    return name;
  }

  // Types.

  private typeRef(node: CstNode | undefined): TypeRef | undefined {
    if (node === undefined) return undefined;
    const at = this.spanOf(node);
    if (at === undefined) return undefined;
    const annotationsNode = node1(node, 'annotations');
    const annotations = this.annotations(annotationsNode);
    const named = token(node, 'named');
    if (named) {
      if (annotationsNode !== undefined) {
        this.report(
          'RPC1005',
          `annotations are not allowed on a type name ('${named.image}'), only on base and container types`,
          this.spanOf(annotationsNode),
        );
      }
      // `uuid` became a keyword after Thrift 0.17; as a type it is the base type, elsewhere a name.
      if (named.image === 'uuid') return { kind: 'base', name: 'uuid', annotations, span: at };
      return { kind: 'named', name: named.image, annotations, span: at };
    }
    const base = token(node, 'base');
    if (base) {
      if (base.image === 'byte' && !this.byteReported) {
        this.byteReported = true;
        this.report(
          'RPC1008',
          "'byte' is a compatibility alias for 'i8'; use 'i8' to make the signedness explicit",
          this.tokenSpan(base),
        );
      }
      return { kind: 'base', name: base.image as BaseTypeName, annotations, span: at } satisfies BaseTypeRef;
    }
    const slist = token(node, 'slist');
    if (slist) {
      this.report('RPC1007', "'slist' is no longer supported; use 'string' instead", this.tokenSpan(slist));
      return { kind: 'base', name: 'string', annotations, span: at };
    }
    const container = firstChildNode(node);
    if (container === undefined) return undefined;
    const containerAnnotations = this.annotations(node1(container, 'annotations'));
    switch (container.name) {
      case 'mapType': {
        const key = this.typeRef(node1(container, 'key'));
        const value = this.typeRef(node1(container, 'value'));
        if (key === undefined || value === undefined) return undefined;
        return { kind: 'map', key, value, annotations: containerAnnotations, span: at };
      }
      case 'setType':
      case 'listType': {
        const element = this.typeRef(node1(container, 'element'));
        if (element === undefined) return undefined;
        const kind = container.name === 'setType' ? 'set' : 'list';
        return { kind, element, annotations: containerAnnotations, span: at };
      }
      default:
        return undefined;
    }
  }

  private annotations(node: CstNode | undefined): Annotation[] {
    if (node === undefined) return [];
    return nodes(node, 'annotation').flatMap((annotation) => {
      const key = token(annotation, 'key');
      const at = this.spanOf(annotation);
      if (key === undefined || at === undefined) return [];
      const value = token(annotation, 'value');
      return [
        value
          ? { key: key.image, value: stringValue(value), valueSpan: this.tokenSpan(value), span: at }
          : { key: key.image, value: '1', span: at },
      ];
    });
  }

  // Constant values.

  private constValue(node: CstNode | undefined): ConstValue | undefined {
    if (node === undefined) return undefined;
    const at = this.spanOf(node);
    if (at === undefined) return undefined;
    const integer = token(node, 'integer');
    if (integer) return this.intLiteral(integer);
    const double = token(node, 'double');
    if (double) return { kind: 'double', value: Number(double.image), text: double.image, span: at };
    const string = token(node, 'string');
    if (string) return { kind: 'string', value: stringValue(string), span: at };
    const identifier = token(node, 'identifier');
    if (identifier) return { kind: 'identifier', name: identifier.image, span: at };
    const list = node1(node, 'constList');
    if (list) {
      const elements = nodes(list, 'constValue').flatMap((element) => this.constValue(element) ?? []);
      return { kind: 'list', elements, span: at };
    }
    const map = node1(node, 'constMap');
    if (map) {
      const entries = nodes(map, 'constMapEntry').flatMap((entry) => {
        const key = this.constValue(node1(entry, 'key'));
        const value = this.constValue(node1(entry, 'value'));
        const entrySpan = this.spanOf(entry);
        return key && value && entrySpan ? [{ key, value, span: entrySpan }] : [];
      });
      return { kind: 'map', entries, span: at };
    }
    return undefined;
  }

  private intLiteral(literal: IToken): IntLiteral {
    const value =
      literal.tokenType === t.True ? 1n : literal.tokenType === t.False ? 0n : t.integerLiteralValue(literal.image);
    return { kind: 'int', value, span: this.tokenSpan(literal) };
  }

  // Spans and reporting.

  private identifier(nameToken: IToken): Identifier {
    return { name: nameToken.image, span: this.tokenSpan(nameToken) };
  }

  private tokenSpan(source: IToken): Span {
    return span(this.source.path, source.startOffset, source.startOffset + source.image.length);
  }

  /** The span from a node's first real token to its last; undefined when recovery left it empty. */
  private spanOf(node: CstNode): Span | undefined {
    const extent = this.extent(node);
    return extent ? span(this.source.path, extent.start, extent.end) : undefined;
  }

  private extent(node: CstNode): Extent | undefined {
    const location = node.location;
    if (location === undefined || !Number.isFinite(location.startOffset) || !Number.isFinite(location.endOffset)) {
      return undefined;
    }
    return { start: location.startOffset, end: (location.endOffset ?? location.startOffset) + 1 };
  }

  private report(code: Diagnostic['code'], message: string, at: Span | undefined): void {
    this.diagnostics.push(diagnostic(code, message, at));
  }
}

// CST access. Tokens inserted by error recovery have no text and no offset: they count as absent.

function isCstNode(element: CstElement): element is CstNode {
  return 'children' in element;
}

function isRealToken(element: CstElement): element is IToken {
  return !isCstNode(element) && !element.isInsertedInRecovery && Number.isFinite(element.startOffset);
}

function nodes(node: CstNode, key: string): CstNode[] {
  return (node.children[key] ?? []).filter(isCstNode);
}

function node1(node: CstNode, key: string): CstNode | undefined {
  return nodes(node, key)[0];
}

function token(node: CstNode, key: string): IToken | undefined {
  return (node.children[key] ?? []).find(isRealToken);
}

function firstChildNode(node: CstNode): CstNode | undefined {
  for (const elements of Object.values(node.children)) {
    const child = elements.find(isCstNode);
    if (child) return child;
  }
  return undefined;
}

function firstToken(node: CstNode): IToken | undefined {
  let first: IToken | undefined;
  for (const elements of Object.values(node.children)) {
    for (const element of elements) {
      if (isRealToken(element) && (first === undefined || element.startOffset < first.startOffset)) first = element;
    }
  }
  return first;
}

function stringValue(literal: IToken): string {
  return t.decodeStringLiteral(literal.image).value;
}
