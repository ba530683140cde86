/**
 * Name lookup for the checker. Each file has its own scope: its own definitions by IDL name, and
 * the files it includes directly, by program name. As in Apache Thrift, includes are not
 * transitive: `a.rpc` including `b.rpc` including `c.rpc` cannot name `c.X`.
 */
import { posix } from 'node:path';
import type { ConstDecl, Declaration, EnumDecl, EnumMemberDecl, SchemaFile } from './schema.js';
import type { Span } from './source.js';

/** One file's names as the checker sees them. */
export interface FileScope {
  readonly path: string;
  readonly schemaFile: SchemaFile;
  /** The first definition of each IDL name (later duplicates are reported and left out). */
  readonly declarations: Map<string, ScopeEntry>;
  /** Directly included files by program name (see {@link programName}). */
  readonly includes: Map<string, FileScope>;
}

export interface ScopeEntry {
  readonly decl: Declaration;
  /** Position among the file's definitions: values may only refer to earlier ones, as in Thrift. */
  readonly index: number;
  readonly nameSpan: Span;
  readonly scope: FileScope;
}

/**
 * The name other files use to qualify this file's definitions: the base name without its last
 * extension, as Thrift derives a program name (`../shared/user.rpc` -> `user`).
 */
export function programName(path: string): string {
  const base = posix.basename(path);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

export type Lookup =
  | { readonly kind: 'found'; readonly entry: ScopeEntry }
  | { readonly kind: 'unknown' }
  /** A dotted name whose prefix names no included file. */
  | { readonly kind: 'no-include'; readonly prefix: string };

/** Finds a declaration by a name as written: `User` (this file) or `shared.User` (an include). */
export function lookupDeclaration(scope: FileScope, name: string): Lookup {
  const local = scope.declarations.get(name);
  if (local) return { kind: 'found', entry: local };
  const qualified = splitIncludePrefix(scope, name);
  if (qualified) {
    const entry = qualified.scope.declarations.get(qualified.rest);
    return entry ? { kind: 'found', entry } : { kind: 'unknown' };
  }
  const dot = name.indexOf('.');
  return dot > 0 ? { kind: 'no-include', prefix: name.slice(0, dot) } : { kind: 'unknown' };
}

/** Splits `prefix.rest` where `prefix` is an included file's program name (the longest one wins). */
export function splitIncludePrefix(scope: FileScope, name: string): { scope: FileScope; rest: string } | undefined {
  let best: { scope: FileScope; rest: string; length: number } | undefined;
  for (const [prefix, included] of scope.includes) {
    if (name.length > prefix.length + 1 && name.startsWith(`${prefix}.`) && (!best || prefix.length > best.length)) {
      best = { scope: included, rest: name.slice(prefix.length + 1), length: prefix.length };
    }
  }
  return best && { scope: best.scope, rest: best.rest };
}

export type ValueLookup =
  | { readonly kind: 'const'; readonly entry: ScopeEntry; readonly decl: ConstDecl }
  | { readonly kind: 'member'; readonly entry: ScopeEntry; readonly decl: EnumDecl; readonly member: EnumMemberDecl }
  /** The name exists but is not a constant or an enum member (a struct, a service, ...). */
  | { readonly kind: 'not-a-value'; readonly entry: ScopeEntry }
  | { readonly kind: 'unknown' };

/**
 * Finds what a constant value refers to: `MAX`, `Color.RED`, `shared.MAX` or `shared.Color.RED`.
 * This file's enums win over an include with the same name, as they shadow it in Thrift's scope.
 */
export function lookupValue(scope: FileScope, name: string): ValueLookup {
  const inFile = (file: FileScope, rest: string): ValueLookup => {
    const entry = file.declarations.get(rest);
    if (entry) return entry.decl.kind === 'const' ? { kind: 'const', entry, decl: entry.decl } : { kind: 'not-a-value', entry };
    const dot = rest.lastIndexOf('.');
    if (dot <= 0) return { kind: 'unknown' };
    const owner = file.declarations.get(rest.slice(0, dot));
    if (owner?.decl.kind !== 'enum') return { kind: 'unknown' };
    const member = owner.decl.members.find((m) => m.name === rest.slice(dot + 1));
    return member ? { kind: 'member', entry: owner, decl: owner.decl, member } : { kind: 'unknown' };
  };
  const local = inFile(scope, name);
  if (local.kind !== 'unknown') return local;
  const qualified = splitIncludePrefix(scope, name);
  return qualified ? inFile(qualified.scope, qualified.rest) : local;
}

/** Every name a type reference could use from `scope`, for "did you mean" suggestions. */
export function visibleTypeNames(scope: FileScope): string[] {
  const names: string[] = [];
  const add = (file: FileScope, prefix: string): void => {
    for (const [name, entry] of file.declarations) {
      if (entry.decl.kind !== 'const' && entry.decl.kind !== 'service') names.push(prefix + name);
    }
  };
  add(scope, '');
  for (const [prefix, included] of scope.includes) add(included, `${prefix}.`);
  return names;
}

/** Every name a constant value could use from `scope`, for "did you mean" suggestions. */
export function visibleValueNames(scope: FileScope): string[] {
  const names: string[] = [];
  const add = (file: FileScope, prefix: string): void => {
    for (const [name, entry] of file.declarations) {
      if (entry.decl.kind === 'const') names.push(prefix + name);
      if (entry.decl.kind === 'enum') names.push(...entry.decl.members.map((m) => `${prefix}${name}.${m.name}`));
    }
  };
  add(scope, '');
  for (const [prefix, included] of scope.includes) add(included, `${prefix}.`);
  return names;
}

/** Every service name visible from `scope`, for suggestions on `extends`. */
export function visibleServiceNames(scope: FileScope): string[] {
  const names: string[] = [];
  const add = (file: FileScope, prefix: string): void => {
    for (const [name, entry] of file.declarations) if (entry.decl.kind === 'service') names.push(prefix + name);
  };
  add(scope, '');
  for (const [prefix, included] of scope.includes) add(included, `${prefix}.`);
  return names;
}

/**
 * The closest candidate to `name`, if one is close enough to be a likely typo: equal ignoring case,
 * or within an edit distance of 1 (names of 3 or 4 characters) or 2 (longer names).
 */
export function closestName(name: string, candidates: Iterable<string>): string | undefined {
  const limit = name.length <= 2 ? 0.5 : name.length <= 4 ? 1 : 2;
  let best: { name: string; distance: number } | undefined;
  for (const candidate of candidates) {
    if (candidate === name) continue;
    const distance = candidate.toLowerCase() === name.toLowerCase() ? 0.5 : editDistance(name, candidate, limit);
    if (distance <= limit && (!best || distance < best.distance)) best = { name: candidate, distance };
  }
  return best?.name;
}

/** `; did you mean 'X'?` or nothing. */
export function didYouMean(name: string, candidates: Iterable<string>): string {
  const suggestion = closestName(name, candidates);
  return suggestion === undefined ? '' : `; did you mean '${suggestion}'?`;
}

/**
 * Edit distance counting insertions, deletions, substitutions and swaps of neighbours (`MXA` is one
 * edit from `MAX`), giving up (returning more than `limit`) once no path can stay within `limit`.
 */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let beforePrevious: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) value = Math.min(value, (beforePrevious[j - 2] ?? 0) + 1);
      current.push(value);
      rowMin = Math.min(rowMin, value);
    }
    if (rowMin > limit) return limit + 1;
    beforePrevious = previous;
    previous = current;
  }
  return previous[b.length] ?? limit + 1;
}
