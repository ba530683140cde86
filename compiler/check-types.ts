/**
 * Type resolution for the checker: type references as written become {@link Type}s pointing at
 * their declarations, and typedef cycles are found and cut so that nothing downstream (including
 * {@link resolveTypedefs}) can loop.
 */
import type { TypeRef } from './ast.js';
import { diagnostic, type Diagnostic } from './diagnostics.js';
import { didYouMean, lookupDeclaration, visibleTypeNames, type FileScope } from './check-scope.js';
import { resolveTypedefs, type Type, type TypedefDecl } from './schema.js';
import type { Span } from './source.js';

/**
 * Stands in for a type that could not be resolved (already reported). Checks skip it, so one
 * mistake is reported once; the schema stays well formed, and `compile()` emits nothing when
 * there are errors.
 */
export const ERROR_TYPE: Type = Object.freeze({ kind: 'binary' });

/** True when `type` is, or is a typedef chain ending in, an unresolved type. */
export function isErrorType(type: Type): boolean {
  return resolveTypedefs(type) === ERROR_TYPE;
}

/** Resolves a type reference written in `scope`, reporting unknown names and non-types. */
export function resolveType(ref: TypeRef, scope: FileScope, report: (d: Diagnostic) => void): Type {
  switch (ref.kind) {
    case 'base':
      return { kind: ref.name };
    case 'list':
      return { kind: 'list', element: resolveType(ref.element, scope, report) };
    case 'set':
      return { kind: 'set', element: resolveType(ref.element, scope, report) };
    case 'map':
      return { kind: 'map', key: resolveType(ref.key, scope, report), value: resolveType(ref.value, scope, report) };
    case 'named':
      return resolveNamedType(ref.name, ref.span, scope, report);
  }
}

function resolveNamedType(name: string, at: Span, scope: FileScope, report: (d: Diagnostic) => void): Type {
  const found = lookupDeclaration(scope, name);
  if (found.kind === 'no-include') {
    const hint = didYouMean(found.prefix, scope.includes.keys());
    report(diagnostic('RPC2023', `unknown type '${name}': no included file is named '${found.prefix}'${hint}`, at));
    return ERROR_TYPE;
  }
  if (found.kind === 'unknown') {
    report(diagnostic('RPC2001', `unknown type '${name}'${didYouMean(name, visibleTypeNames(scope))}`, at));
    return ERROR_TYPE;
  }
  const decl = found.entry.decl;
  switch (decl.kind) {
    case 'typedef':
      return { kind: 'typedef', decl };
    case 'enum':
      return { kind: 'enum', decl };
    case 'struct':
    case 'union':
    case 'exception':
      return { kind: 'struct', decl };
    case 'service':
    case 'const':
      report(diagnostic('RPC2024', `'${name}' is a ${decl.kind === 'const' ? 'constant' : 'service'}, not a type`, at));
      return ERROR_TYPE;
  }
}

/** A typedef whose target is still being assigned by the checker. */
export interface TypedefSlot {
  readonly decl: TypedefDecl & { type: Type };
  readonly nameSpan: Span;
}

/**
 * Reports every typedef cycle (`typedef B A; typedef A B`, or through containers: `typedef list<A>
 * A`) once, and cuts it by making each typedef on the cycle resolve to {@link ERROR_TYPE}.
 * Cycles through structs are fine (recursive structs); only typedefs and containers are followed.
 */
export function breakTypedefCycles(typedefs: readonly TypedefSlot[], report: (d: Diagnostic) => void): void {
  const slots = new Map(typedefs.map((slot) => [slot.decl as TypedefDecl, slot]));
  const state = new Map<TypedefDecl, 'visiting' | 'done'>();
  const onCycle = new Set<TypedefSlot>();
  const stack: TypedefDecl[] = [];

  const visit = (decl: TypedefDecl): void => {
    state.set(decl, 'visiting');
    stack.push(decl);
    for (const next of typedefsIn(decl.type)) {
      const seen = state.get(next);
      if (seen === 'visiting') {
        const cycle = stack.slice(stack.indexOf(next));
        const first = slots.get(next);
        report(diagnostic('RPC2021', `typedef cycle: ${[...cycle, next].map((d) => d.name).join(' -> ')}`, first?.nameSpan));
        for (const member of cycle) {
          const slot = slots.get(member);
          if (slot) onCycle.add(slot);
        }
      } else if (seen === undefined && slots.has(next)) {
        visit(next);
      }
    }
    stack.pop();
    state.set(decl, 'done');
  };

  for (const slot of typedefs) if (!state.has(slot.decl)) visit(slot.decl);
  for (const slot of onCycle) slot.decl.type = ERROR_TYPE;
}

/** Typedefs reachable from `type` without passing through a struct or an enum. */
function typedefsIn(type: Type): TypedefDecl[] {
  switch (type.kind) {
    case 'typedef':
      return [type.decl];
    case 'list':
    case 'set':
      return typedefsIn(type.element);
    case 'map':
      return [...typedefsIn(type.key), ...typedefsIn(type.value)];
    default:
      return [];
  }
}

/** Structural equality after unwrapping typedefs at every level (`typedef i32 Id` equals `i32`). */
export function sameType(a: Type, b: Type): boolean {
  const x = resolveTypedefs(a);
  const y = resolveTypedefs(b);
  switch (x.kind) {
    case 'list':
    case 'set':
      return y.kind === x.kind && sameType(x.element, y.element);
    case 'map':
      return y.kind === 'map' && sameType(x.key, y.key) && sameType(x.value, y.value);
    case 'enum':
    case 'struct':
      return y.kind === x.kind && y.decl === x.decl;
    default:
      return y.kind === x.kind;
  }
}

/** The type as IDL would spell it, for messages: aliases and declarations by name. */
export function typeLabel(type: Type): string {
  switch (type.kind) {
    case 'list':
    case 'set':
      return `${type.kind}<${typeLabel(type.element)}>`;
    case 'map':
      return `map<${typeLabel(type.key)}, ${typeLabel(type.value)}>`;
    case 'enum':
    case 'struct':
    case 'typedef':
      return type.decl.name;
    default:
      return type.kind;
  }
}
