/**
 * Diagnostics are data: a stable code, a severity, a message and a span. The catalogue below is
 * the single list of codes; tests assert one line per code, and docs/idl.md lists them.
 *
 * Ranges: RPC1xxx lexing and parsing, RPC2xxx semantic checks, RPC3xxx files and output.
 */
import { lineText, positionAt, type SourceFile, type Span } from './source.js';

export type Severity = 'error' | 'warning';

/** Every diagnostic code the compiler can report, with its default severity and a short title. */
export const DIAGNOSTIC_CATALOGUE = {
  // Lexing and parsing.
  RPC1001: { severity: 'error', title: 'invalid character' },
  RPC1002: { severity: 'error', title: 'unterminated string literal' },
  RPC1003: { severity: 'error', title: 'unterminated block comment' },
  RPC1004: { severity: 'error', title: 'invalid number literal' },
  RPC1005: { severity: 'error', title: 'syntax error' },
  RPC1006: { severity: 'error', title: 'reserved word used as an identifier' },
  RPC1007: { severity: 'error', title: 'construct not supported by Thrift' },
  RPC1008: { severity: 'warning', title: 'deprecated construct' },
  RPC1009: { severity: 'error', title: 'invalid identifier' },
  RPC1010: { severity: 'error', title: 'invalid escape sequence' },
  // Semantic checks.
  RPC2001: { severity: 'error', title: 'unknown type' },
  RPC2002: { severity: 'error', title: 'duplicate definition' },
  RPC2003: { severity: 'error', title: 'duplicate field id' },
  RPC2004: { severity: 'error', title: 'field id out of range' },
  RPC2005: { severity: 'error', title: 'duplicate field name' },
  RPC2006: { severity: 'error', title: 'duplicate enum value' },
  RPC2007: { severity: 'error', title: 'enum value out of range' },
  RPC2008: { severity: 'error', title: 'constant does not fit its type' },
  RPC2009: { severity: 'error', title: 'include cycle' },
  RPC2010: { severity: 'error', title: 'include not found' },
  RPC2011: { severity: 'error', title: 'extends of a non-service' },
  RPC2012: { severity: 'error', title: 'extends cycle' },
  RPC2013: { severity: 'error', title: 'oneway function with a non-void return' },
  RPC2014: { severity: 'error', title: 'oneway function with throws' },
  RPC2015: { severity: 'error', title: 'throws of a non-exception' },
  RPC2016: { severity: 'error', title: 'name collision in generated TypeScript' },
  RPC2017: { severity: 'error', title: 'unknown constant' },
  RPC2018: { severity: 'error', title: 'duplicate function' },
  RPC2019: { severity: 'warning', title: 'field without an explicit id' },
  RPC2020: { severity: 'warning', title: 'required field in a union' },
  RPC2021: { severity: 'error', title: 'typedef cycle' },
  RPC2022: { severity: 'error', title: 'invalid annotation value' },
  RPC2023: { severity: 'error', title: 'name refers to a file that is not included' },
  RPC2024: { severity: 'error', title: 'wrong kind of type' },
  RPC2025: { severity: 'warning', title: 'requiredness ignored' },
  RPC2026: { severity: 'error', title: 'duplicate enum member' },
  RPC2028: { severity: 'error', title: 'more than one default value in a union' },
  // Files and output.
  RPC3001: { severity: 'error', title: 'cannot read file' },
  RPC3002: { severity: 'error', title: 'cannot write file' },
  RPC3003: { severity: 'error', title: 'generated file is out of date' },
  RPC3004: { severity: 'error', title: 'no input files' },
  RPC3005: { severity: 'error', title: 'two inputs map to the same output file' },
} as const satisfies Record<string, { severity: Severity; title: string }>;

export type DiagnosticCode = keyof typeof DIAGNOSTIC_CATALOGUE;

/** A related location shown under a diagnostic ("first defined here"). */
export interface DiagnosticNote {
  readonly message: string;
  readonly span?: Span;
}

export interface Diagnostic {
  readonly code: DiagnosticCode;
  readonly severity: Severity;
  readonly message: string;
  /** Absent only for diagnostics about no particular place (e.g. "no input files"). */
  readonly span?: Span;
  readonly notes?: readonly DiagnosticNote[];
}

/** Builds a diagnostic with the catalogue's severity for `code`. */
export function diagnostic(
  code: DiagnosticCode,
  message: string,
  span?: Span,
  notes?: readonly DiagnosticNote[],
): Diagnostic {
  return {
    code,
    severity: DIAGNOSTIC_CATALOGUE[code].severity,
    message,
    ...(span ? { span } : {}),
    ...(notes && notes.length > 0 ? { notes } : {}),
  };
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/** Orders diagnostics by file, then offset, then code, so output is deterministic. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort((a, b) => {
    const fa = a.span?.file ?? '';
    const fb = b.span?.file ?? '';
    if (fa !== fb) return fa < fb ? -1 : 1;
    const sa = a.span?.start ?? -1;
    const sb = b.span?.start ?? -1;
    if (sa !== sb) return sa - sb;
    return a.code < b.code ? -1 : a.code > b.code ? 1 : 0;
  });
}

/** `path:line:col: error RPC2001: message`, the one-line form used by tests and editors. */
export function formatDiagnosticLine(d: Diagnostic, sources: ReadonlyMap<string, SourceFile>): string {
  return `${location(d.span, sources)}${d.severity} ${d.code}: ${d.message}`;
}

/**
 * The full form printed by the CLI: the one-line header, the source line and a `^~~~` underline,
 * then each note the same way.
 */
export function renderDiagnostic(d: Diagnostic, sources: ReadonlyMap<string, SourceFile>): string {
  const out = [formatDiagnosticLine(d, sources), ...excerpt(d.span, sources)];
  for (const note of d.notes ?? []) {
    out.push(`${location(note.span, sources)}note: ${note.message}`, ...excerpt(note.span, sources));
  }
  return out.join('\n');
}

function location(at: Span | undefined, sources: ReadonlyMap<string, SourceFile>): string {
  if (!at) return 'rpcgen: ';
  const file = sources.get(at.file);
  if (!file) return `${at.file}: `;
  const { line, column } = positionAt(file, at.start);
  return `${at.file}:${line}:${column}: `;
}

function excerpt(at: Span | undefined, sources: ReadonlyMap<string, SourceFile>): string[] {
  const file = at ? sources.get(at.file) : undefined;
  if (!at || !file) return [];
  const { line, column } = positionAt(file, at.start);
  const text = lineText(file, line).replace(/\t/g, ' ');
  const end = positionAt(file, Math.max(at.start, at.end - 1));
  const width = end.line === line ? Math.max(1, end.column - column + 1) : Math.max(1, text.length - column + 1);
  const gutter = String(line).length;
  return [
    `${' '.repeat(gutter + 1)}|`,
    `${line} | ${text}`,
    `${' '.repeat(gutter + 1)}| ${' '.repeat(column - 1)}^${'~'.repeat(width - 1)}`,
  ];
}
