/**
 * The parts of ts-morph the emitter uses, loaded with `require`. Importing the CommonJS package
 * from ESM makes Node scan it (and the TypeScript bundle it re-exports) for export names first,
 * about 0.2 s of every rpcgen run.
 */
import { createRequire } from 'node:module';

const tsMorph = createRequire(import.meta.url)('ts-morph') as typeof import('ts-morph');

export const { printStructure, Scope, StructureKind, VariableDeclarationKind } = tsMorph;
