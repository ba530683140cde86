/**
 * Generated sections of a Markdown document: everything between `<!-- bench:NAME:start -->` and
 * `<!-- bench:NAME:end -->` belongs to the benchmark runner and is replaced on each run; the rest
 * of the document (method descriptions, discussion) is left as it is.
 */

/** The marker lines of section `name`. */
export function sectionMarkers(name: string): { readonly start: string; readonly end: string } {
  return { start: `<!-- bench:${name}:start -->`, end: `<!-- bench:${name}:end -->` };
}

/**
 * Returns `document` with section `name`'s content replaced by `content`. A section whose markers
 * are missing is appended at the end (under its markers); markers out of order are an error, since
 * replacing anything then could destroy hand-written text.
 */
export function replaceSection(document: string, name: string, content: string): string {
  const { start, end } = sectionMarkers(name);
  const body = `${start}\n${content.trimEnd()}\n${end}`;
  const from = document.indexOf(start);
  const to = document.indexOf(end);
  if (from === -1 && to === -1) return `${document.trimEnd()}\n\n${body}\n`;
  if (from === -1 || to === -1 || to < from) throw new Error(`${start} / ${end}: markers missing or out of order`);
  return document.slice(0, from) + body + document.slice(to + end.length);
}
