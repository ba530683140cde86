/**
 * A service's three exports (names from `serviceExportNames`): the `Handler` interface a server
 * implements, the `Client` class that calls through a runtime `Channel`, and the descriptor both
 * sides dispatch through. A service that extends another extends its handler and client and
 * spreads its methods into the descriptor.
 */
import { Scope, StructureKind, VariableDeclarationKind, type StatementStructures } from 'ts-morph';
import { CALL_CONTEXT_PARAM, CALL_OPTIONS_PARAM, CLIENT_CHANNEL_MEMBER, serviceExportNames } from '../names.js';
import type { FieldDecl, FunctionDecl, ServiceDecl } from '../schema.js';
import { argsCodec, declaresFunction, resultCodec } from './codecs.js';
import { memberAccess, propertyKey, stringLiteral, tsdoc, type EmitContext } from './context.js';
import { typeExpression } from './type-refs.js';

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

  return [
    {
      kind: StructureKind.Interface,
      name: names.handler,
      isExported: true,
      docs: [withDoc(service.doc, `The handler a server implements to serve \`${service.name}\`.`)],
      extends: baseNames ? [baseNames.handler] : [],
      methods: service.functions.map((fn) => ({
        name: propertyKey(fn.tsName),
        docs: tsdoc(fn.doc),
        parameters: [
          ...fn.params.map((p) => ({ name: p.tsName, type: paramType(p, ctx) })),
          { name: CALL_CONTEXT_PARAM, type: callContext },
        ],
        returnType: `${resultType(fn)} | Promise<${resultType(fn)}>`,
      })),
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
        parameters: [
          ...fn.params.map((p) => ({ name: p.tsName, type: paramType(p, ctx) })),
          { name: CALL_OPTIONS_PARAM, hasQuestionToken: true, type: callOptions },
        ],
        returnType: `Promise<${resultType(fn)}>`,
        statements: [
          `return this.${CLIENT_CHANNEL_MEMBER}.call(${memberAccess(`${names.descriptor}.methods`, fn.tsName)}, ` +
            `{ ${fn.params.map((p) => p.tsName).join(', ')} }, ${CALL_OPTIONS_PARAM});`,
        ],
      })),
    },
    {
      kind: StructureKind.VariableStatement,
      isExported: true,
      declarationKind: VariableDeclarationKind.Const,
      docs: [`Describes \`${service.name}\`: its methods, for clients to call and servers to dispatch.`],
      declarations: [
        {
          name: names.descriptor,
          initializer: descriptorInitializer(service, ctx, baseNames?.descriptor, names.handler),
        },
      ],
    },
  ];
}

/**
 * The descriptor object, checked with `satisfies` so each method keeps its argument and result
 * types (a client's `channel.call` infers them from `invoke`).
 */
function descriptorInitializer(
  service: ServiceDecl,
  ctx: EmitContext,
  baseDescriptor: string | undefined,
  handlerName: string,
): string {
  const serviceDescriptor = ctx.imports.runtime('ServiceDescriptor', 'type');
  const methods = service.functions.map((fn) => `${propertyKey(fn.tsName)}: ${methodDescriptor(fn, ctx)},`);
  return (
    `{ name: ${stringLiteral(service.name)}, methods: {` +
    `${baseDescriptor ? `...${baseDescriptor}.methods,` : ''}${methods.join('')}` +
    `}, } satisfies ${serviceDescriptor}<${handlerName}>`
  );
}

/**
 * One method's descriptor: its codecs (`NoArgs` and `VoidResult` from the runtime where the
 * function has no parameters, or returns nothing and declares no exception) and `invoke`.
 */
function methodDescriptor(fn: FunctionDecl, ctx: EmitContext): string {
  const args = fn.params.map((p) => memberAccess('args', p.tsName));
  const argsType = `{ ${fn.params.map((p) => `readonly ${propertyKey(p.tsName)}: ${paramType(p, ctx)}`).join('; ')} }`;
  // Without parameters the arguments object is unused, and says so.
  const argsParam = fn.params.length === 0 ? '_args: Record<string, never>' : `args: ${argsType}`;
  const hasResult = fn.returnType !== undefined || fn.throws.length > 0;
  const properties = [
    `name: ${stringLiteral(fn.name)}`,
    `oneway: ${fn.oneway}`,
    `idempotent: ${fn.idempotent}`,
    ...(fn.timeoutMs === undefined ? [] : [`timeoutMs: ${fn.timeoutMs}`]),
    `args: ${fn.params.length === 0 ? ctx.imports.runtime('NoArgs', 'value') : argsCodec(fn, argsType, ctx)}`,
    `result: ${hasResult ? resultCodec(fn, ctx) : ctx.imports.runtime('VoidResult', 'value')}`,
    `declares: ${declaresFunction(fn, ctx)}`,
    `invoke: (handler, ${argsParam}, ${CALL_CONTEXT_PARAM}) => ` +
      `${memberAccess('handler', fn.tsName)}(${[...args, CALL_CONTEXT_PARAM].join(', ')})`,
  ];
  return `{ ${properties.join(',\n')} }`;
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
