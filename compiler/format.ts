/**
 * Formats generated TypeScript with prettier and a pinned configuration. The user's prettier
 * configuration is never consulted: generated files must be byte-identical on every machine.
 */
import { format, type Options } from 'prettier';

const PINNED_OPTIONS: Options = {
  parser: 'typescript',
  printWidth: 100,
  tabWidth: 2,
  useTabs: false,
  semi: true,
  singleQuote: true,
  quoteProps: 'as-needed',
  trailingComma: 'all',
  bracketSpacing: true,
  arrowParens: 'always',
  endOfLine: 'lf',
  proseWrap: 'preserve',
};

/** `text` formatted with the pinned options. */
export function formatTypeScript(text: string): Promise<string> {
  return format(text, PINNED_OPTIONS);
}
