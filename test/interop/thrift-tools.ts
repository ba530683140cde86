/**
 * Where the interop tests find Apache Thrift (Debian's `thrift-compiler` and `python3-thrift`),
 * and the check that fails (never skips) with the install command when either is missing.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Debian's python, which has `python3-thrift` (not the pyenv python on PATH). */
export const PYTHON = '/usr/bin/python3';
/** Debian's Thrift compiler. */
export const THRIFT = '/usr/bin/thrift';

/** Throws, saying how to install them, unless Thrift's compiler and Python library are there. */
export function requireThrift(): void {
  const missing: string[] = [];
  if (!existsSync(THRIFT)) missing.push('thrift-compiler');
  try {
    execFileSync(PYTHON, ['-c', 'import thrift.transport.THeaderTransport'], { stdio: 'ignore' });
  } catch {
    missing.push('python3-thrift');
  }
  if (missing.length > 0) {
    throw new Error(
      `interop tests need Apache Thrift: missing ${missing.join(' and ')} (${THRIFT}, ${PYTHON} -c 'import thrift'). ` +
        '`npm test` installs python3-thrift and thrift-compiler (scripts/test.sh does it as root); ' +
        `or run: sudo apt-get install -y ${missing.join(' ')}`,
    );
  }
}
