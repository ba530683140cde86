/**
 * What every part of the emitter shares while it writes one module: the file being emitted, its
 * import registry, its codec scope, and helpers that print small pieces of TypeScript syntax
 * safely.
 */
import type { CodecScope } from './codecs.js';
import type { ImportRegistry } from './imports.js';
import type { LaidOutText } from './layout.js';
import type { SchemaFile } from '../schema.js';

/** The module being emitted, where its imports are collected, its codec helpers and laid-out code. */
export interface EmitContext {
  readonly file: SchemaFile;
  readonly imports: ImportRegistry;
  readonly codecs: CodecScope;
  readonly laidOut: LaidOutText;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Characters JSON leaves as they are but a reader could not see: escaped in generated code. */
const INVISIBLE = /[\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]/g;

/** Strings prettier would print as they are, in single quotes. */
const PLAIN_STRING = /^[\x20-\x26\x28-\x5b\x5d-\x7e]*$/;

/**
 * A string literal; invisible characters are escaped. Plain ASCII strings are single-quoted, as
 * prettier prints them; prettier settles the quotes of the others.
 */
export function stringLiteral(value: string): string {
  if (PLAIN_STRING.test(value)) return `'${value}'`;
  return JSON.stringify(value).replace(INVISIBLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** An object key or property name: bare when it is an identifier, quoted otherwise. */
export function propertyKey(name: string): string {
  return IDENTIFIER.test(name) ? name : stringLiteral(name);
}

/** `object.name`, or `object['name']` when `name` is not an identifier. */
export function memberAccess(object: string, name: string): string {
  return IDENTIFIER.test(name) ? `${object}.${name}` : `${object}[${stringLiteral(name)}]`;
}

/** An IDL doc comment as the text of a TSDoc comment (ts-morph adds the markers). */
export function tsdoc(doc: string | undefined): string[] {
  return doc === undefined || doc.trim() === '' ? [] : [escapeDoc(doc.trim())];
}

/** A complete TSDoc comment for places ts-morph's structures do not reach (object literal members). */
export function tsdocComment(doc: string | undefined): string {
  const [text] = tsdoc(doc);
  if (text === undefined) return '';
  const lines = text.split('\n');
  return lines.length === 1
    ? `/** ${text} */\n`
    : `/**\n${lines.map((l) => ` *${l ? ` ${l}` : ''}`).join('\n')}\n */\n`;
}

/** A doc comment must not end the comment it is written into. */
function escapeDoc(text: string): string {
  return text.replace(/\*\//g, '*\\/').replace(/\r\n?/g, '\n');
}
