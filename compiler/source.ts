/**
 * Source files and spans. Every diagnostic points into a {@link SourceFile} through a {@link Span};
 * line and column are computed on demand so the lexer and parser only carry offsets.
 */

/** One IDL file as the compiler saw it. `path` is what diagnostics print (as given, not resolved). */
export interface SourceFile {
  readonly path: string;
  readonly text: string;
  /** Offset of the first character of each line; `lineStarts[0] === 0`. */
  readonly lineStarts: readonly number[];
}

/** A half-open range `[start, end)` of character offsets in one source file. */
export interface Span {
  readonly file: string;
  readonly start: number;
  readonly end: number;
}

/** A 1-based line and column. */
export interface Position {
  readonly line: number;
  readonly column: number;
}

export function createSourceFile(path: string, text: string): SourceFile {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 /* \n */) lineStarts.push(i + 1);
    else if (c === 13 /* \r */ && text.charCodeAt(i + 1) !== 10) lineStarts.push(i + 1);
  }
  return { path, text, lineStarts };
}

/** Line and column (both 1-based) of `offset`; offsets past the end clamp to the end. */
export function positionAt(file: SourceFile, offset: number): Position {
  const clamped = Math.max(0, Math.min(offset, file.text.length));
  let lo = 0;
  let hi = file.lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((file.lineStarts[mid] ?? 0) <= clamped) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: clamped - (file.lineStarts[lo] ?? 0) + 1 };
}

/** The text of 1-based `line` without its line terminator. */
export function lineText(file: SourceFile, line: number): string {
  const start = file.lineStarts[line - 1];
  if (start === undefined) return '';
  const next = file.lineStarts[line];
  const raw = file.text.slice(start, next ?? file.text.length);
  return raw.replace(/\r?\n$|\r$/, '');
}

export function span(file: string, start: number, end: number): Span {
  return { file, start, end };
}
