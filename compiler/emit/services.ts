/**
 * A service's three exports (names from `serviceExportNames`): the `Handler` interface a server
 * implements, the `Client` class that calls through a runtime `Channel`, and the descriptor both
 * sides dispatch through. A service that extends another extends its handler and client and
 * spreads its methods into the descriptor. Each method's arguments type and its `<method>_args`
 * and `<method>_result` codecs are module-level declarations the descriptor refers to, exported
 * because a derived service's descriptor (maybe in another module) carries their types.
 */
import type { StatementStructures } from 'ts-morph';
import { CALL_CONTEXT_PARAM, CALL_OPTIONS_PARAM, CLIENT_CHANNEL_MEMBER, serviceExportNames } from '../names.js';
import type { FieldDecl, FunctionDecl, ServiceDecl } from '../schema.js';
import { argsCodec, declaresFunction, resultCodec, resultType } from './codecs.js';
import { memberAccess, propertyKey, stringLiteral, tsdoc, type EmitContext } from './context.js';
import { typeExpression } from './type-refs.js';
import { Scope, StructureKind, VariableDeclarationKind } from './ts-morph.js';

/** `export interface SHandler`, `export class SClient` and `export const S` (the descriptor). */
export function serviceDeclarations(service: ServiceDecl, ctx: EmitContext): StatementStructures[] {
  const names = serviceExportNames(service.tsName);
  const base = service.extends;
  const baseNames = base && {
    handler: ctx.imports.reference(base.file, serviceExportNames(base.tsName).handler, 'type'),
    client: ctx.imports.reference(base.file, serviceExportNames(base.tsName).client, 'value'),
    descriptor: ctx.imports.reference(base.file, base.tsName, 'value'),
  };
  const callContext = ctx.imports.runtime('CallContext', 'type');
  const callOptions = ctx.imports.runtime('CallOptions', 'type');
  const resultType = (fn: FunctionDecl): string => (fn.returnType ? typeExpression(fn.returnType, ctx) : 'void');

  // A derived client inherits the channel (and the constructor) from its base client.
  const channel = baseNames ? undefined : ctx.imports.runtime('Channel', 'type');
  const channelMembers =
    channel === undefined
      ? {}
      : {
          properties: [{ name: CLIENT_CHANNEL_MEMBER, scope: Scope.Protected, isReadonly: true, type: channel }],
          ctors: [
            {
              parameters: [{ name: CLIENT_CHANNEL_MEMBER, type: channel }],
              statements: [`this.${CLIENT_CHANNEL_MEMBER} = ${CLIENT_CHANNEL_MEMBER};`],
            },
          ],
        };

  // Evaluated at load time by the descriptor, so declared before it.
  const codecs = service.functions.map((fn) => methodCodecs(service, fn, ctx));

  return [
    {
      kind: StructureKind.Interface,
      name: names.handler,
      isExported: true,
      docs: [withDoc(service.doc, `The handler a server implements to serve \`${service.name}\`.`)],
      extends: baseNames ? [baseNames.handler] : [],
      methods: service.functions.map((fn) => {
        const returnType = `${resultType(fn)} | Promise<${resultType(fn)}>`;
        const parameters = [
          ...fn.params.map((p) => ({ name: p.tsName, type: paramType(p, ctx) })),
          { name: CALL_CONTEXT_PARAM, type: callContext },
        ];
        return {
          name: propertyKey(fn.tsName),
          docs: tsdoc(fn.doc),
          parameters: ctx.laidOut.parameters(parameters, 2, `${propertyKey(fn.tsName)}(`, `): ${returnType};`),
          returnType,
        };
      }),
    },
    {
      kind: StructureKind.Class,
      name: names.client,
      isExported: true,
      docs: [withDoc(service.doc, `A client calling \`${service.name}\` through a \`Channel\`.`)],
      ...(baseNames ? { extends: baseNames.client } : {}),
      ...channelMembers,
      methods: service.functions.map((fn) => ({
        name: propertyKey(fn.tsName),
        docs: tsdoc(fn.doc),
        parameters: ctx.laidOut.parameters(
          [
            ...fn.params.map((p) => ({ name: p.tsName, type: paramType(p, ctx) })),
            { name: CALL_OPTIONS_PARAM, hasQuestionToken: true, type: callOptions },
          ],
          2,
          `${propertyKey(fn.tsName)}(`,
          `): Promise<${resultType(fn)}> {`,
        ),
        returnType: `Promise<${resultType(fn)}>`,
        statements: [
          `return this.${CLIENT_CHANNEL_MEMBER}.call(${memberAccess(`${names.descriptor}.methods`, fn.tsName)}, ` +
            `${fn.params.length === 0 ? '{}' : `{ ${fn.params.map((p) => p.tsName).join(', ')} }`}, ${CALL_OPTIONS_PARAM});`,
        ],
      })),
    },
    ...codecs.flatMap((c) => c.statements),
    {
      kind: StructureKind.VariableStatement,
      isExported: true,
      declarationKind: VariableDeclarationKind.Const,
      docs: [`Describes \`${service.name}\`: its methods, for clients to call and servers to dispatch.`],
      declarations: [
        {
          name: names.descriptor,
          initializer: ctx.laidOut.hole(descriptorInitializer(service, codecs, ctx, baseNames?.descriptor, names.handler), 0),
        },
      ],
    },
  ];
}

/** The module-level names of a method's arguments type and codecs, and their declarations. */
interface MethodCodecs {
  /** The arguments type (also the name of the args codec); undefined without parameters. */
  readonly args: string | undefined;
  /** The result codec; undefined when the runtime's `VoidResult` serves. */
  readonly result: string | undefined;
  readonly statements: StatementStructures[];
}

/**
 * `export interface SMArgs` (the arguments object, readonly) with its codec `export const SMArgs`,
 * and `export const SMResult`, for a method `m` of service `S`.
 */
function methodCodecs(service: ServiceDecl, fn: FunctionDecl, ctx: EmitContext): MethodCodecs {
  const base = `${service.tsName}${fn.tsName.charAt(0).toUpperCase()}${fn.tsName.slice(1)}`.replace(/[^A-Za-z0-9_$]/g, '_');
  const statements: StatementStructures[] = [];
  let args: string | undefined;
  if (fn.params.length > 0) {
    args = ctx.codecs.moduleName(`${base}Args`);
    statements.push(
      {
        kind: StructureKind.Interface,
        name: args,
        // Exported: a derived service's descriptor, in another module, has these types too.
        isExported: true,
        docs: [`The arguments of \`${service.name}.${fn.name}\`.`],
        properties: fn.params.map((p) => ({ name: propertyKey(p.tsName), isReadonly: true, type: paramType(p, ctx) })),
      },
      codecStatement(args, `${ctx.imports.runtime('Codec', 'type')}<${args}>`, `Thrift's \`${fn.name}_args\` struct.`, argsCodec(fn, ctx), ctx),
    );
  }
  let result: string | undefined;
  if (fn.returnType !== undefined || fn.throws.length > 0) {
    result = ctx.codecs.moduleName(`${base}Result`);
    const type = `${ctx.imports.runtime('Codec', 'type')}<${resultType(fn, ctx)}>`;
    statements.push(codecStatement(result, type, `Thrift's \`${fn.name}_result\` struct.`, resultCodec(fn, ctx), ctx));
  }
  return { args, result, statements };
}

function codecStatement(name: string, type: string, doc: string, codec: string, ctx: EmitContext): StatementStructures {
  return {
    kind: StructureKind.VariableStatement,
    // Exported like the interface of the same name (merged declarations must agree).
    isExported: true,
    declarationKind: VariableDeclarationKind.Const,
    docs: [doc],
    declarations: [{ name, type, initializer: ctx.laidOut.hole(codec, 0) }],
  };
}

/**
 * The descriptor object, checked with `satisfies` so each method keeps its argument and result
 * types (a client's `channel.call` infers them from `invoke`).
 */
function descriptorInitializer(
  service: ServiceDecl,
  codecs: readonly MethodCodecs[],
  ctx: EmitContext,
  baseDescriptor: string | undefined,
  handlerName: string,
): string {
  const serviceDescriptor = ctx.imports.runtime('ServiceDescriptor', 'type');
  const methods = service.functions.map((fn, i) => `${propertyKey(fn.tsName)}: ${methodDescriptor(fn, codecs[i]!, ctx)},`);
  const inherited = baseDescriptor ? [`...${baseDescriptor}.methods,`] : [];
  return [
    '{',
    `name: ${stringLiteral(service.name)},`,
    `methods: {`,
    ...inherited,
    ...methods,
    '},',
    `} satisfies ${serviceDescriptor}<${handlerName}>`,
  ].join('\n');
}

/**
 * One method's descriptor: its codecs (`NoArgs` and `VoidResult` from the runtime where the
 * function has no parameters, or returns nothing and declares no exception) and `invoke`.
 */
function methodDescriptor(fn: FunctionDecl, codecs: MethodCodecs, ctx: EmitContext): string {
  const args = fn.params.map((p) => memberAccess('args', p.tsName));
  // Without parameters the arguments object is unused, and says so.
  const argsParam = codecs.args === undefined ? '_args: Record<string, never>' : `args: ${codecs.args}`;
  const call = `${memberAccess('handler', fn.tsName)}(${[...args, CALL_CONTEXT_PARAM].join(', ')})`;
  return [
    '{',
    `name: ${stringLiteral(fn.name)},`,
    `oneway: ${fn.oneway},`,
    `idempotent: ${fn.idempotent},`,
    ...(fn.workerThread ? ['workerThread: true,'] : []),
    ...(fn.timeoutMs === undefined ? [] : [`timeoutMs: ${fn.timeoutMs},`]),
    `args: ${codecs.args ?? ctx.imports.runtime('NoArgs', 'value')},`,
    `result: ${codecs.result ?? ctx.imports.runtime('VoidResult', 'value')},`,
    `declares: ${declaresFunction(fn, ctx)},`,
    `invoke(handler, ${argsParam}, ${CALL_CONTEXT_PARAM}) {`,
    `return ${call};`,
    '},',
    '}',
  ].join('\n');
}

/** The IDL doc comment, then what the generated declaration is. */
function withDoc(doc: string | undefined, role: string): string {
  const [text] = tsdoc(doc);
  return text === undefined ? role : `${text}\n\n${role}`;
}

/** A parameter's type: optional parameters may be `undefined` (they stay positional). */
function paramType(param: FieldDecl, ctx: EmitContext): string {
  const type = typeExpression(param.type, ctx);
  return param.requiredness === 'optional' ? `${type} | undefined` : type;
}
