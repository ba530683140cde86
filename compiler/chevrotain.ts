/**
 * Chevrotain, loaded from the single-file ES module build its package ships (`lib/chevrotain.mjs`)
 * instead of the package entry point. The entry point imports chevrotain's sources and lodash-es
 * file by file, several hundred modules that took Node about 0.45 s to load on every rpcgen run;
 * the bundle is the same code and version in one file and loads in about 20 ms. The package's
 * `exports` hide the bundle, so it is found next to the entry point that `require.resolve` names.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

/** `node_modules/chevrotain/lib/src/api.js` -> `node_modules/chevrotain/lib/chevrotain.mjs`. */
const bundle = new URL('../chevrotain.mjs', pathToFileURL(createRequire(import.meta.url).resolve('chevrotain')));

const chevrotain = (await import(bundle.href)) as typeof import('chevrotain');

export const { createToken, CstParser, EOF, Lexer } = chevrotain;
export type {
  CstElement,
  CstNode,
  IParserErrorMessageProvider,
  IRecognitionException,
  IToken,
  TokenType,
} from 'chevrotain';
