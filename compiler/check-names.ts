/**
 * RPC2016: distinct IDL names that `names.ts` maps to the same TypeScript name. Reserved words are
 * mangled (`let` -> `let_`), so a mangled name can meet a name that was written that way; the
 * generated module would not compile, so the checker reports it instead.
 *
 * Two identical IDL names are not reported here: they are duplicate definitions (RPC2002, RPC2005,
 * RPC2018, RPC2026), reported where they are found.
 */
import { diagnostic, type Diagnostic } from './diagnostics.js';
import type { FileScope } from './check-scope.js';
import { serviceExportNames } from './names.js';
import { allFunctions, type Declaration, type FieldDecl } from './schema.js';
import type { Span } from './source.js';

interface Named {
  readonly idlName: string;
  readonly tsName: string;
  /** How messages refer to it: `struct 'Map'`, `field 'options'`. */
  readonly label: string;
  readonly span: Span | undefined;
  /** False for names only listed so others can collide with them (inherited functions). */
  readonly reportable: boolean;
}

/** Looks up the span of a declaration's, field's, function's or enum member's name. */
export type NameSpans = (node: object) => Span | undefined;

/** Reports every TypeScript name collision in `scope`'s file. */
export function checkTypeScriptNames(scope: FileScope, nameSpan: NameSpans, report: (d: Diagnostic) => void): void {
  const exports: Named[] = [];
  for (const { decl } of scope.declarations.values()) {
    const label = `${decl.kind} '${decl.name}'`;
    const span = nameSpan(decl);
    exports.push({ idlName: decl.name, tsName: decl.tsName, label, span, reportable: true });
    if (decl.kind === 'service') {
      const { client, handler } = serviceExportNames(decl.tsName);
      exports.push({ idlName: decl.name, tsName: client, label: `the client class of ${label}`, span, reportable: true });
      exports.push({ idlName: decl.name, tsName: handler, label: `the handler interface of ${label}`, span, reportable: true });
    }
  }
  reportCollisions(exports, 'the TypeScript export', report);
  for (const { decl } of scope.declarations.values()) checkMembers(decl, nameSpan, report);
}

function checkMembers(decl: Declaration, nameSpan: NameSpans, report: (d: Diagnostic) => void): void {
  const fields = (list: readonly FieldDecl[], reportable = true): Named[] =>
    list.map((f) => ({ idlName: f.name, tsName: f.tsName, label: `field '${f.name}'`, span: nameSpan(f), reportable }));
  switch (decl.kind) {
    case 'struct':
    case 'union':
    case 'exception':
      reportCollisions(fields(decl.fields), `a property of ${decl.kind} '${decl.name}'`, report);
      return;
    case 'enum':
      reportCollisions(
        decl.members.map((m) => ({ idlName: m.name, tsName: m.tsName, label: `member '${m.name}'`, span: nameSpan(m), reportable: true })),
        `a property of enum '${decl.name}'`,
        report,
      );
      return;
    case 'service': {
      const own = new Set(decl.functions);
      const methods = allFunctions(decl).map((f) => ({
        idlName: f.name,
        tsName: f.tsName,
        label: `function '${f.name}'`,
        span: nameSpan(f),
        reportable: own.has(f),
      }));
      reportCollisions(methods, `a method of service '${decl.name}'`, report);
      for (const f of decl.functions) {
        const params = f.params.map((p) => ({ idlName: p.name, tsName: p.tsName, label: `argument '${p.name}'`, span: nameSpan(p), reportable: true }));
        reportCollisions(params, `a parameter of '${decl.name}.${f.name}'`, report);
        reportCollisions(fields(f.throws), `an exception of '${decl.name}.${f.name}'`, report);
      }
      return;
    }
    default:
      return;
  }
}

function reportCollisions(items: readonly Named[], where: string, report: (d: Diagnostic) => void): void {
  const seen = new Map<string, Named>();
  for (const item of items) {
    const first = seen.get(item.tsName);
    if (!first) {
      seen.set(item.tsName, item);
      continue;
    }
    if (first.idlName === item.idlName || !item.reportable) continue;
    report(
      diagnostic(
        'RPC2016',
        `${item.label} and ${first.label} both become '${item.tsName}' as ${where}; rename one`,
        item.span,
        [{ message: `${first.label} is here`, ...(first.span ? { span: first.span } : {}) }],
      ),
    );
  }
}
