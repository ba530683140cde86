/**
 * Declarations of data types and constants: structs, unions, exceptions, enums, typedefs and
 * consts, as ts-morph statement structures. The mapping is documented in `runtime/service.ts`.
 */
import type { ClassDeclarationStructure, StatementStructures } from 'ts-morph';
import {
  resolveTypedefs,
  type ConstDecl,
  type EnumDecl,
  type FieldDecl,
  type StructDecl,
  type TypedefDecl,
} from '../schema.js';
import { codecNames, exceptionCodecMethods, structCodecMembers, unionCodecMembers } from './codecs.js';
import { memberAccess, propertyKey, stringLiteral, tsdoc, tsdocComment, type EmitContext } from './context.js';
import { typeExpression } from './type-refs.js';
import { StructureKind, VariableDeclarationKind } from './ts-morph.js';
import { valueExpression } from './values.js';

/** The property rule: required when declared `required` or given a default, optional otherwise. */
export function isRequiredProperty(field: FieldDecl): boolean {
  return field.requiredness === 'required' || field.defaultValue !== undefined;
}

/** `export interface T` and its companion `export const T` (`create`, `write`, `read`). */
export function structDeclarations(decl: StructDecl, ctx: EmitContext): StatementStructures[] {
  const defaulted = decl.fields.flatMap((f) =>
    f.defaultValue === undefined ? [] : [{ field: f, value: f.defaultValue }],
  );
  const companionType = ctx.imports.runtime('StructCodec', 'type');
  const defaultedKeys = defaulted.map(({ field }) => stringLiteral(field.tsName)).join(' | ');
  const overrides = defaulted.map(({ field, value }) => {
    const fallback = valueExpression(value, field.type, ctx, true);
    return `, ${propertyKey(field.tsName)}: ${memberAccess('init', field.tsName)} ?? ${fallback}`;
  });
  const companion = `{\ncreate(init) {\nreturn { ...init${overrides.join('')} };\n},\n${structCodecMembers(decl, ctx)}}`;
  return [
    {
      kind: StructureKind.Interface,
      name: decl.tsName,
      isExported: true,
      docs: tsdoc(decl.doc),
      properties: decl.fields.map((f) => ({
        name: propertyKey(f.tsName),
        type: typeExpression(f.type, ctx),
        hasQuestionToken: !isRequiredProperty(f),
        docs: tsdoc(f.doc),
      })),
    },
    {
      kind: StructureKind.VariableStatement,
      isExported: true,
      declarationKind: VariableDeclarationKind.Const,
      declarations: [
        {
          name: decl.tsName,
          type: `${companionType}<${decl.tsName}${defaultedKeys ? `, ${defaultedKeys}` : ''}>`,
          initializer: ctx.laidOut.hole(companion, 0),
        },
      ],
    },
  ];
}

/** `export type T = { readonly kind: 'a'; readonly value: A } | ...` and its companion. */
export function unionDeclarations(decl: StructDecl, ctx: EmitContext): StatementStructures[] {
  const members = decl.fields.map(
    (f) =>
      `| { readonly kind: ${stringLiteral(f.name)};\n${tsdocComment(f.doc)}readonly value: ${typeExpression(f.type, ctx)} }`,
  );
  return [
    {
      kind: StructureKind.TypeAlias,
      name: decl.tsName,
      isExported: true,
      docs: tsdoc(decl.doc),
      type: members.length === 0 ? 'never' : members.join('\n'),
    },
    {
      kind: StructureKind.VariableStatement,
      isExported: true,
      declarationKind: VariableDeclarationKind.Const,
      declarations: [
        {
          name: decl.tsName,
          type: `${ctx.imports.runtime('UnionCodec', 'type')}<${decl.tsName}>`,
          initializer: `{\n${unionCodecMembers(decl, ctx)}}`,
        },
      ],
    },
  ];
}

/**
 * `export class T extends Error`, constructed from an init object like a struct's `create`, with
 * static `write` and `read` (the class is an `ExceptionCodec<T>`). Properties the init object
 * leaves out or gives as `undefined` are absent, or take their default.
 */
export function exceptionDeclaration(decl: StructDecl, ctx: EmitContext): ClassDeclarationStructure {
  // A `string` field named `message` keeps its name (names.ts) and is the error's own message.
  const message = decl.fields.find((f) => f.tsName === 'message');
  const own = decl.fields.filter((f) => f !== message);
  const initType = `{ ${decl.fields
    .map(
      (f) =>
        f.requiredness === 'required' && f.defaultValue === undefined
          ? `${propertyKey(f.tsName)}: ${typeExpression(f.type, ctx)}`
          : `${propertyKey(f.tsName)}?: ${typeExpression(f.type, ctx)} | undefined`,
    )
    .join('; ')} }`;
  const allOptional = decl.fields.every((f) => f.requiredness !== 'required' || f.defaultValue !== undefined);
  const codec = exceptionCodecMethods(decl, ctx);
  const names = codecNames(ctx);
  const assignments = own.map((f) => {
    const target = memberAccess('this', f.tsName);
    const given = memberAccess('init', f.tsName);
    if (f.defaultValue !== undefined)
      return `${target} = ${given} ?? ${valueExpression(f.defaultValue, f.type, ctx, true)};`;
    if (f.requiredness === 'required') return `${target} = ${given};`;
    return `if (${given} !== undefined) ${target} = ${given};`;
  });
  return {
    kind: StructureKind.Class,
    name: decl.tsName,
    isExported: true,
    extends: 'Error',
    docs: tsdoc(decl.doc),
    // Optional properties are `declare`d: a class field would exist (as `undefined`) even when
    // the constructor leaves it out.
    properties: own.map((f) => ({
        name: propertyKey(f.tsName),
        type: typeExpression(f.type, ctx),
        hasQuestionToken: !isRequiredProperty(f),
        hasDeclareKeyword: !isRequiredProperty(f),
        docs: tsdoc(f.doc),
      })),
    ctors: [
      {
        parameters:
          decl.fields.length === 0
            ? []
            : [{ name: 'init', type: initType, ...(allOptional ? { initializer: '{}' } : {}) }],
        statements: [
          message ? `super(${memberAccess('init', message.tsName)});` : 'super();',
          `this.name = ${stringLiteral(decl.tsName)};`,
          ...assignments,
        ],
      },
    ],
    methods: [
      {
        name: 'write',
        isStatic: true,
        // Without fields, the value is not looked at.
        parameters: [
          { name: names.w, type: ctx.imports.runtime('Writer', 'type') },
          { name: decl.fields.length === 0 ? `_${names.v}` : names.v, type: decl.tsName },
        ],
        returnType: 'void',
        statements: [ctx.laidOut.hole(codec.write, 4)],
      },
      {
        name: 'read',
        isStatic: true,
        parameters: [{ name: names.r, type: ctx.imports.runtime('Reader', 'type') }],
        returnType: decl.tsName,
        statements: [ctx.laidOut.hole(codec.read, 4)],
      },
    ],
  };
}

/** `export const T = { A: 1, ... } as const` and `export type T` (the union of its values). */
export function enumDeclarations(decl: EnumDecl, ctx: EmitContext): StatementStructures[] {
  // A line break after the brace keeps every member on its own line after formatting.
  const members = decl.members.map((m) => `${tsdocComment(m.doc)}${propertyKey(m.tsName)}: ${m.value},\n`);
  const initializer = ctx.laidOut.hole(`{\n${members.join('')}} as const`, 0);
  return [
    {
      kind: StructureKind.VariableStatement,
      isExported: true,
      declarationKind: VariableDeclarationKind.Const,
      docs: tsdoc(decl.doc),
      declarations: [{ name: decl.tsName, initializer }],
    },
    {
      kind: StructureKind.TypeAlias,
      name: decl.tsName,
      isExported: true,
      type: `(typeof ${decl.tsName})[keyof typeof ${decl.tsName}]`,
    },
  ];
}

/** `export type T = <type>`. */
export function typedefDeclaration(decl: TypedefDecl, ctx: EmitContext): StatementStructures {
  return {
    kind: StructureKind.TypeAlias,
    name: decl.tsName,
    isExported: true,
    docs: tsdoc(decl.doc),
    type: typeExpression(decl.type, ctx),
  };
}

/**
 * `export const T = <value>`: lists `as const` (readonly tuples), sets and maps as
 * `ReadonlySet`/`ReadonlyMap` of the declared types, structs and unions as their declared type;
 * scalars keep their literal types.
 */
export function constDeclaration(decl: ConstDecl, ctx: EmitContext): StatementStructures {
  const t = resolveTypedefs(decl.type);
  let type: string | undefined;
  let initializer: string;
  if (decl.value.kind === 'const') {
    initializer = ctx.imports.reference(decl.value.decl.file, decl.value.decl.tsName, 'value');
  } else if (t.kind === 'list') {
    initializer = `${valueExpression(decl.value, decl.type, ctx, false)} as const`;
  } else if (t.kind === 'set') {
    type = `ReadonlySet<${typeExpression(t.element, ctx)}>`;
    initializer = valueExpression(decl.value, decl.type, ctx, true);
  } else if (t.kind === 'map') {
    type = `ReadonlyMap<${typeExpression(t.key, ctx)}, ${typeExpression(t.value, ctx)}>`;
    initializer = valueExpression(decl.value, decl.type, ctx, true);
  } else if (t.kind === 'struct' && t.decl.kind !== 'exception') {
    type = typeExpression(decl.type, ctx);
    initializer = valueExpression(decl.value, decl.type, ctx, true);
  } else {
    initializer = valueExpression(decl.value, decl.type, ctx, false);
  }
  return {
    kind: StructureKind.VariableStatement,
    isExported: true,
    declarationKind: VariableDeclarationKind.Const,
    docs: tsdoc(decl.doc),
    declarations: [{ name: decl.tsName, ...(type === undefined ? {} : { type }), initializer }],
  };
}
