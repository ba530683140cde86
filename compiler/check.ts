/**
 * The semantic checker: loaded files in, the resolved {@link Schema} and every semantic diagnostic
 * out. Semantics follow Apache Thrift 0.17; where Thrift accepts something that would produce
 * broken or ambiguous TypeScript (field ids past 32767, a oneway function returning a value,
 * integer constants that overflow their type, two enum members with one value, a union constant
 * setting two fields, a name used both by a constant and a type) this is an error. Where Thrift
 * ignores what was written (field ids of 0 or less, `optional` in argument lists, requiredness
 * in unions) this warns and does what Thrift does.
 *
 * It works in passes over all files (includes first), so every name can be referred to from
 * anywhere and every problem is reported, never just the first:
 *
 * 1. declare: one scope per file, a declaration object per definition, enums complete;
 * 2. resolve: types, struct fields, service functions and `extends`;
 * 3. cut typedef and `extends` cycles, then the checks that need acyclic chains;
 * 4. convert constants and default values, in source order (values only refer backwards);
 * 5. TypeScript name collisions.
 *
 * Nothing here throws for bad input: unresolved types become a placeholder that later checks skip.
 */
import type { Annotation, Definition, EnumDefinition, Field, FunctionDefinition, ServiceDefinition } from './ast.js';
import { checkTypeScriptNames } from './check-names.js';
import { didYouMean, lookupDeclaration, programName, visibleServiceNames, type FileScope } from './check-scope.js';
import { breakTypedefCycles, isErrorType, resolveType, type TypedefSlot } from './check-types.js';
import { convertValue, type ConstSource } from './check-values.js';
import { diagnostic, type Diagnostic } from './diagnostics.js';
import type { LoadedFile } from './load.js';
import { declarationName, exceptionFieldName, methodName, parameterName, propertyName } from './names.js';
import {
  resolveTypedefs,
  type ConstDecl,
  type Declaration,
  type EnumMemberDecl,
  type FieldDecl,
  type FunctionDecl,
  type Schema,
  type SchemaFile,
  type ServiceDecl,
  type Value,
} from './schema.js';
import type { Span } from './source.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** One definition on its way to becoming a declaration. */
interface Item {
  readonly node: Definition;
  readonly decl: Mutable<Declaration>;
  readonly scope: FileScope;
  readonly index: number;
}

/** Where each field and function came from, for default values and name spans. */
interface Origins {
  readonly fields: Map<FieldDecl, Field>;
  /** Name spans of declarations, fields, functions and enum members. */
  readonly nameSpans: WeakMap<object, Span>;
}

/** Stands in for a constant whose value did not convert (already reported). */
const ERROR_VALUE: Value = Object.freeze({ kind: 'string', value: '' });

const FIELD_ID_MAX = 32767n;
const I32_MIN = -(2n ** 31n);
const I32_MAX = 2n ** 31n - 1n;
const TIMEOUT_MS_MAX = 2 ** 31 - 1;

/**
 * Resolves and checks `files` (includes before includers, as `loadFiles` returns them). The schema
 * is always returned and well formed, but it is only meaningful when no diagnostic is an error.
 */
export function check(files: readonly LoadedFile[]): { schema: Schema; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const report = (d: Diagnostic): void => {
    diagnostics.push(d);
  };
  const origins: Origins = { fields: new Map(), nameSpans: new WeakMap() };
  const { scopes, items } = declare(files, origins, report);

  const typedefs: TypedefSlot[] = [];
  for (const item of items) resolveItem(item, origins, report, typedefs);
  breakTypedefCycles(typedefs, report);
  breakExtendsCycles(items, origins, report);
  for (const item of items) finishItem(item, origins, report);
  convertValues(items, origins, report);
  for (const scope of scopes) checkTypeScriptNames(scope, (node) => origins.nameSpans.get(node), report);

  return { schema: { files: scopes.map((s) => s.schemaFile) }, diagnostics };
}

// Pass 1: scopes and declaration objects.

function declare(
  files: readonly LoadedFile[],
  origins: Origins,
  report: (d: Diagnostic) => void,
): { scopes: FileScope[]; items: Item[] } {
  const byPath = new Map<string, FileScope>();
  const items: Item[] = [];
  for (const loaded of files) {
    const path = loaded.source.path;
    if (byPath.has(path)) continue;
    const schemaFile: Mutable<SchemaFile> = {
      path,
      modulePath: loaded.modulePath,
      includes: [],
      namespaces: new Map(loaded.document.headers.flatMap((h) => (h.kind === 'namespace' ? [[h.scope, h.name] as const] : []))),
      declarations: [],
    };
    const scope: FileScope = { path, schemaFile, declarations: new Map(), includes: new Map() };
    byPath.set(path, scope);
    const includes: SchemaFile[] = [];
    for (const include of loaded.includes) {
      const target = byPath.get(include.path);
      if (!target) continue;
      if (!includes.includes(target.schemaFile)) includes.push(target.schemaFile);
      const prefix = programName(include.path);
      if (!scope.includes.has(prefix)) scope.includes.set(prefix, target);
    }
    schemaFile.includes = includes;

    const declarations: Declaration[] = [];
    for (const [index, node] of loaded.document.definitions.entries()) {
      const decl = createDeclaration(node, schemaFile, origins, report);
      declarations.push(decl);
      items.push({ node, decl, scope, index });
      origins.nameSpans.set(decl, node.name.span);
      const first = scope.declarations.get(node.name.name);
      if (first) {
        report(
          diagnostic('RPC2002', `duplicate definition of '${node.name.name}'`, node.name.span, [
            { message: `first defined here as a ${first.decl.kind}`, span: first.nameSpan },
          ]),
        );
      } else {
        scope.declarations.set(node.name.name, { decl, index, nameSpan: node.name.span, scope });
      }
    }
    schemaFile.declarations = declarations;
  }
  return { scopes: [...byPath.values()], items };
}

function createDeclaration(node: Definition, file: SchemaFile, origins: Origins, report: (d: Diagnostic) => void): Mutable<Declaration> {
  const base = {
    name: node.name.name,
    tsName: declarationName(node.name.name),
    file,
    doc: node.doc,
    annotations: annotationMap(node.annotations),
    span: node.span,
  };
  switch (node.kind) {
    case 'const':
      return { ...base, kind: 'const', type: { kind: 'string' }, value: ERROR_VALUE };
    case 'typedef':
      return { ...base, kind: 'typedef', type: { kind: 'string' } };
    case 'enum':
      return { ...base, kind: 'enum', members: enumMembers(node, origins, report) };
    case 'struct':
    case 'union':
    case 'exception':
      return { ...base, kind: node.kind, fields: [] };
    case 'service':
      return { ...base, kind: 'service', functions: [] };
  }
}

/** Members with their final values: as written, or the previous value + 1 (starting at 0). */
function enumMembers(node: EnumDefinition, origins: Origins, report: (d: Diagnostic) => void): EnumMemberDecl[] {
  const members: EnumMemberDecl[] = [];
  const byName = new Map<string, Span>();
  const byValue = new Map<bigint, string>();
  let next = 0n;
  for (const m of node.members) {
    const name = m.name.name;
    const value = m.value?.value ?? next;
    const at = m.value?.span ?? m.name.span;
    next = value + 1n;
    const firstSpan = byName.get(name);
    if (firstSpan) {
      report(
        diagnostic('RPC2026', `duplicate enum member '${name}' in enum '${node.name.name}'`, m.name.span, [
          { message: 'first defined here', span: firstSpan },
        ]),
      );
      continue;
    }
    byName.set(name, m.name.span);
    if (value < I32_MIN || value > I32_MAX) {
      const how = m.value ? 'value' : 'implicit value (previous + 1)';
      report(diagnostic('RPC2007', `${how} ${value} of '${node.name.name}.${name}' is outside the i32 range`, at));
    } else {
      const owner = byValue.get(value);
      if (owner !== undefined) {
        report(diagnostic('RPC2006', `duplicate enum value ${value} in enum '${node.name.name}' ('${name}' and '${owner}')`, at));
      } else byValue.set(value, name);
    }
    const member: EnumMemberDecl = {
      name,
      tsName: propertyName(name),
      value: Number(value),
      doc: m.doc,
      annotations: annotationMap(m.annotations),
    };
    origins.nameSpans.set(member, m.name.span);
    members.push(member);
  }
  return members;
}

// Pass 2: types, fields, functions, extends.

function resolveItem(item: Item, origins: Origins, report: (d: Diagnostic) => void, typedefs: TypedefSlot[]): void {
  const { node, decl, scope } = item;
  switch (decl.kind) {
    case 'typedef':
      if (node.kind !== 'typedef') return;
      decl.type = resolveType(node.type, scope, report);
      typedefs.push({ decl, nameSpan: node.name.span });
      return;
    case 'const':
      if (node.kind === 'const') decl.type = resolveType(node.type, scope, report);
      return;
    case 'struct':
    case 'union':
    case 'exception':
      if (node.kind !== decl.kind) return;
      decl.fields = buildFields(node.fields, { kind: decl.kind, label: `${decl.kind} '${decl.name}'` }, scope, origins, report);
      return;
    case 'service':
      if (node.kind === 'service') resolveService(node, decl, scope, origins, report);
      return;
    case 'enum':
      return;
  }
}

interface FieldOwner {
  readonly kind: 'struct' | 'union' | 'exception' | 'params' | 'throws';
  /** `struct 'User'`, `the arguments of 'Users.get'`. */
  readonly label: string;
}

/**
 * Fields with their final ids: as written when positive; otherwise Thrift's implicit ids -1, -2, ...
 * in order (Thrift also ignores a written id of 0 or less, with a warning, and does the same).
 */
function buildFields(
  nodes: readonly Field[],
  owner: FieldOwner,
  scope: FileScope,
  origins: Origins,
  report: (d: Diagnostic) => void,
): Mutable<FieldDecl>[] {
  const fields: Mutable<FieldDecl>[] = [];
  const byId = new Map<number, Field>();
  const byName = new Map<string, Field>();
  let nextImplicitId = -1;
  let defaulted: Field | undefined;
  for (const node of nodes) {
    const name = node.name.name;
    let id: number;
    if (node.id === undefined) {
      id = nextImplicitId--;
      report(diagnostic('RPC2019', `field '${name}' in ${owner.label} has no explicit id; Thrift assigns ${id}`, node.name.span));
    } else if (node.id.value <= 0n) {
      id = nextImplicitId--;
      report(
        diagnostic('RPC2019', `field id ${node.id.value} of '${name}' in ${owner.label} is not positive; Thrift ignores it and assigns ${id}`, node.id.span),
      );
    } else {
      id = Number(node.id.value);
      if (node.id.value > FIELD_ID_MAX) {
        report(diagnostic('RPC2004', `field id ${node.id.value} of '${name}' in ${owner.label} is out of range (1..32767)`, node.id.span));
      }
    }
    const sameId = byId.get(id);
    if (sameId) {
      report(
        diagnostic('RPC2003', `duplicate field id ${id} in ${owner.label} (first used by '${sameId.name.name}')`, node.id?.span ?? node.name.span, [
          { message: 'first used here', span: sameId.span },
        ]),
      );
    } else byId.set(id, node);
    const sameName = byName.get(name);
    if (sameName) {
      report(
        diagnostic('RPC2005', `duplicate field name '${name}' in ${owner.label}`, node.name.span, [
          { message: 'first defined here', span: sameName.name.span },
        ]),
      );
    } else byName.set(name, node);
    if (owner.kind === 'union' && node.defaultValue) {
      if (defaulted) {
        report(
          diagnostic('RPC2028', `${owner.label} already has a default value (field '${defaulted.name.name}'); a union defaults at most one field`, node.defaultValue.span),
        );
      } else defaulted = node;
    }
    const field: Mutable<FieldDecl> = {
      id,
      name,
      tsName: name,
      requiredness: requiredness(node, owner, report),
      type: resolveType(node.type, scope, report),
      doc: node.doc,
      annotations: annotationMap(node.annotations),
      span: node.span,
    };
    origins.fields.set(field, node);
    origins.nameSpans.set(field, node.name.span);
    fields.push(field);
  }
  return fields;
}

/** The requiredness Thrift applies, warning where it ignores what was written. */
function requiredness(node: Field, owner: FieldOwner, report: (d: Diagnostic) => void): FieldDecl['requiredness'] {
  const at = node.requirednessSpan ?? node.name.span;
  switch (owner.kind) {
    case 'union':
      if (node.requiredness === 'required') {
        report(diagnostic('RPC2020', `field '${node.name.name}' of ${owner.label} is required, but union fields are always optional`, at));
      }
      return 'optional';
    case 'params':
      if (node.requiredness !== 'optional') return node.requiredness;
      report(diagnostic('RPC2025', `'optional' is ignored in argument lists ('${node.name.name}' in ${owner.label})`, at));
      return 'default';
    case 'throws':
      if (node.requiredness === 'default') return 'default';
      report(diagnostic('RPC2025', `'${node.requiredness}' is ignored in a throws clause ('${node.name.name}' in ${owner.label})`, at));
      return 'default';
    default:
      return node.requiredness;
  }
}

function resolveService(
  node: ServiceDefinition,
  decl: Mutable<ServiceDecl>,
  scope: FileScope,
  origins: Origins,
  report: (d: Diagnostic) => void,
): void {
  if (node.extends) {
    const { name, span } = node.extends;
    const found = lookupDeclaration(scope, name);
    if (found.kind === 'no-include') {
      report(diagnostic('RPC2023', `unknown service '${name}': no included file is named '${found.prefix}'${didYouMean(found.prefix, scope.includes.keys())}`, span));
    } else if (found.kind === 'unknown') {
      report(diagnostic('RPC2001', `unknown service '${name}'${didYouMean(name, visibleServiceNames(scope))}`, span));
    } else if (found.entry.decl.kind !== 'service') {
      report(diagnostic('RPC2011', `service '${node.name.name}' extends '${name}', which is a ${found.entry.decl.kind}, not a service`, span));
    } else {
      decl.extends = found.entry.decl;
    }
  }
  const byName = new Map<string, FunctionDefinition>();
  const functions: FunctionDecl[] = [];
  for (const fn of node.functions) {
    const name = fn.name.name;
    const first = byName.get(name);
    if (first) {
      report(
        diagnostic('RPC2018', `duplicate function '${name}' in service '${node.name.name}'`, fn.name.span, [
          { message: 'first defined here', span: first.name.span },
        ]),
      );
    } else byName.set(name, fn);
    const qualified = `'${node.name.name}.${name}'`;
    const returnType = fn.returnType.kind === 'void' ? undefined : resolveType(fn.returnType, scope, report);
    const params = buildFields(fn.params, { kind: 'params', label: `the arguments of ${qualified}` }, scope, origins, report);
    const throws = buildFields(fn.throws, { kind: 'throws', label: `the throws clause of ${qualified}` }, scope, origins, report);
    if (fn.oneway && returnType !== undefined) {
      report(diagnostic('RPC2013', `oneway function ${qualified} must return void`, fn.returnType.span));
    }
    if (fn.oneway && fn.throws.length > 0) {
      report(diagnostic('RPC2014', `oneway function ${qualified} cannot throw exceptions`, fn.throwsSpan ?? fn.throws[0]?.span));
    }
    const decl: FunctionDecl = {
      name,
      tsName: methodName(name),
      oneway: fn.oneway,
      returnType,
      params,
      throws,
      ...callOptions(fn.annotations, report),
      doc: fn.doc,
      annotations: annotationMap(fn.annotations),
      span: fn.span,
    };
    origins.nameSpans.set(decl, fn.name.span);
    functions.push(decl);
  }
  decl.functions = functions;
}

/**
 * `(idempotent)`, `(worker.thread)` and `(timeout.ms = "200")`; the last one written wins, like
 * every annotation.
 */
function callOptions(
  annotations: readonly Annotation[],
  report: (d: Diagnostic) => void,
): { idempotent: boolean; workerThread: boolean; timeoutMs: number | undefined } {
  const last = (key: string): Annotation | undefined => annotations.findLast((a) => a.key === key);
  const flag = (key: string): boolean => {
    const annotation = last(key);
    if (annotation === undefined) return false;
    const value = annotation.value.trim().toLowerCase();
    if (value === '' || value === '1' || value === 'true') return true;
    if (value !== '0' && value !== 'false') {
      report(diagnostic('RPC2022', `invalid '${key}' value ${JSON.stringify(annotation.value)}: write (${key}), or "true" or "false"`, annotation.valueSpan ?? annotation.span));
    }
    return false;
  };
  const idempotent = flag('idempotent');
  const workerThread = flag('worker.thread');
  let timeoutMs: number | undefined;
  const timeout = last('timeout.ms');
  if (timeout) {
    const ms = /^\s*[0-9]+\s*$/.test(timeout.value) ? Number(timeout.value) : NaN;
    if (ms >= 1 && ms <= TIMEOUT_MS_MAX) timeoutMs = ms;
    else {
      report(
        diagnostic('RPC2022', `invalid 'timeout.ms' value ${JSON.stringify(timeout.value)}: expected a whole number of milliseconds from 1 to ${TIMEOUT_MS_MAX}`, timeout.valueSpan ?? timeout.span),
      );
    }
  }
  return { idempotent, workerThread, timeoutMs };
}

// Pass 3: cycles, then what needs acyclic typedef and extends chains.

/** Reports each `extends` cycle once and cuts it, so `allFunctions` terminates. */
function breakExtendsCycles(items: readonly Item[], origins: Origins, report: (d: Diagnostic) => void): void {
  for (const { decl, node } of items) {
    if (decl.kind !== 'service' || node.kind !== 'service') continue;
    const path: Mutable<ServiceDecl>[] = [decl];
    for (let base = decl.extends; base; base = base.extends) {
      if (base === decl) {
        const chain = [...path, decl].map((s) => s.name).join(' -> ');
        report(diagnostic('RPC2012', `service '${decl.name}' extends itself: ${chain}`, node.extends?.span ?? origins.nameSpans.get(decl)));
        for (const member of path) delete member.extends;
        break;
      }
      if (path.includes(base)) break;
      path.push(base);
    }
  }
}

function finishItem(item: Item, origins: Origins, report: (d: Diagnostic) => void): void {
  const { decl } = item;
  if (decl.kind === 'exception') {
    for (const field of decl.fields as Mutable<FieldDecl>[]) {
      field.tsName = exceptionFieldName(field.name, !isErrorType(field.type) && resolveTypedefs(field.type).kind === 'string');
    }
  } else if (decl.kind === 'struct' || decl.kind === 'union') {
    for (const field of decl.fields as Mutable<FieldDecl>[]) field.tsName = propertyName(field.name);
  } else if (decl.kind === 'service') {
    finishService(decl, origins, report);
  }
}

function finishService(decl: ServiceDecl, origins: Origins, report: (d: Diagnostic) => void): void {
  const inherited = new Map<string, { fn: FunctionDecl; service: ServiceDecl }>();
  for (let base = decl.extends; base; base = base.extends) {
    for (const fn of base.functions) if (!inherited.has(fn.name)) inherited.set(fn.name, { fn, service: base });
  }
  for (const fn of decl.functions) {
    const qualified = `'${decl.name}.${fn.name}'`;
    const base = inherited.get(fn.name);
    if (base) {
      report(
        diagnostic('RPC2018', `function '${fn.name}' of service '${decl.name}' is already defined in base service '${base.service.name}'`, origins.nameSpans.get(fn), [
          { message: 'inherited from here', ...spanOf(origins, base.fn) },
        ]),
      );
    }
    for (const param of fn.params as Mutable<FieldDecl>[]) param.tsName = parameterName(param.name);
    for (const thrown of fn.throws as Mutable<FieldDecl>[]) {
      thrown.tsName = propertyName(thrown.name);
      if (isErrorType(thrown.type)) continue;
      const type = resolveTypedefs(thrown.type);
      if (type.kind !== 'struct' || type.decl.kind !== 'exception') {
        const what = type.kind === 'struct' ? `${type.decl.kind} '${type.decl.name}'` : `'${type.kind}'`;
        const at = origins.fields.get(thrown)?.type.span ?? thrown.span;
        report(diagnostic('RPC2015', `${qualified} throws ${what}, which is not an exception`, at));
      }
    }
  }
}

function spanOf(origins: Origins, node: object): { span?: Span } {
  const span = origins.nameSpans.get(node);
  return span ? { span } : {};
}

// Pass 4: constants and default values, in source order.

function convertValues(items: readonly Item[], origins: Origins, report: (d: Diagnostic) => void): void {
  const constants = new Map<ConstDecl, ConstSource>();
  for (const { node, decl, scope, index } of items) {
    const ctx = { scope, index, report, constants };
    if (node.kind === 'const' && decl.kind === 'const') {
      const value = convertValue(node.value, decl.type, ctx);
      decl.value = value ?? ERROR_VALUE;
      constants.set(decl, { node: node.value, scope, index, ok: value !== undefined });
      continue;
    }
    const fieldLists: readonly (readonly FieldDecl[])[] =
      decl.kind === 'struct' || decl.kind === 'union' || decl.kind === 'exception'
        ? [decl.fields]
        : decl.kind === 'service'
          ? decl.functions.flatMap((f) => [f.params, f.throws])
          : [];
    for (const field of fieldLists.flat() as Mutable<FieldDecl>[]) {
      const written = origins.fields.get(field)?.defaultValue;
      if (!written) continue;
      const value = convertValue(written, field.type, ctx);
      if (value) field.defaultValue = value;
    }
  }
}

function annotationMap(annotations: readonly Annotation[]): ReadonlyMap<string, string> {
  return new Map(annotations.map((a) => [a.key, a.value]));
}
