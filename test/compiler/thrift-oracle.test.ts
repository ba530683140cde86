/**
 * Differential test against Apache Thrift 0.17, the reference implementation of the language.
 *
 * Three corpora of IDL files, each file classified by the directory it lives in:
 *
 * - `test/fixtures/thrift-accept/` (and every example in `idl-examples/`): valid Thrift. Our
 *   compiler must report no error for them.
 * - `test/fixtures/thrift-reject/`: each file has one thing Thrift rejects. Our compiler must
 *   report an error, with the code named on the file's first line (`// expect: RPC2003`).
 * - `test/fixtures/thrift-stricter/`: files Thrift accepts (often with a warning) that we reject
 *   on purpose, because the TypeScript we would generate from them would be wrong. First line as
 *   for rejects.
 *
 * The real `thrift` compiler classifies every file too, so a corpus file can never claim something
 * about Thrift that is not true. It runs with `--gen js`: Thrift 0.17 refuses reserved words per
 * generator, and js uses the common list (`function`, `new`, `default`, ...) that our lexer
 * applies, where py substitutes Python's own keywords. Thrift 0.17 has no `uuid` type, so the
 * oracle sees a copy of each file with `uuid` replaced by `string`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile, formatDiagnosticLine, type CompilerHost, type DiagnosticCode } from '../../compiler/index.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const THRIFT = '/usr/bin/thrift';
const THRIFT_VERSION = /^Thrift version 0\.17\./;
/** The Thrift compiler runs in milliseconds; a hang (it loops on some bad input) is a failure. */
const THRIFT_TIMEOUT_MS = 20_000;
const EXPECT_LINE = /^\/\/ expect: (RPC\d{4})\b/;

const host: CompilerHost = {
  readFile(path) {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
  },
};

/** IDL files under `dir` (relative to the repository), recursively, sorted. */
function idlFiles(dir: string): string[] {
  const found: string[] = [];
  const walk = (abs: string): void => {
    for (const entry of readdirSync(abs, { withFileTypes: true })) {
      const path = join(abs, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.(thrift|rpc)$/.test(entry.name)) found.push(relative(REPO, path).split('\\').join('/'));
    }
  };
  walk(join(REPO, dir));
  return found.sort();
}

const accepted = [...idlFiles('test/fixtures/thrift-accept'), ...idlFiles('idl-examples')];
const rejected = idlFiles('test/fixtures/thrift-reject');
const stricter = idlFiles('test/fixtures/thrift-stricter');

/** The diagnostic code a reject or stricter file names on its first line. */
function expectedCode(file: string): DiagnosticCode {
  const firstLine = readFileSync(join(REPO, file), 'utf8').split(/\r?\n/, 1)[0] ?? '';
  const code = EXPECT_LINE.exec(firstLine)?.[1];
  if (code === undefined) throw new Error(`${file}: the first line must be '// expect: RPCnnnn'`);
  return code as DiagnosticCode;
}

async function compileFile(file: string) {
  const result = await compile([join(REPO, file)], { host });
  const lines = result.diagnostics.map((d) => formatDiagnosticLine(d, result.sources).replace(REPO, ''));
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  return { errors, lines };
}

const thriftVersion = existsSync(THRIFT)
  ? spawnSync(THRIFT, ['--version'], { encoding: 'utf8' }).stdout.trim()
  : undefined;
const haveThrift = thriftVersion !== undefined && THRIFT_VERSION.test(thriftVersion);

/** A copy of the repository's IDL files for the oracle, with `uuid` (unknown to 0.17) as `string`. */
let oracleRoot = '';
let oracleOut = '';

beforeAll(() => {
  if (!haveThrift) return;
  oracleRoot = mkdtempSync(join(tmpdir(), 'thrift-oracle-'));
  oracleOut = join(oracleRoot, 'out');
  mkdirSync(oracleOut);
  for (const file of [...accepted, ...rejected, ...stricter]) {
    const text = readFileSync(join(REPO, file), 'utf8');
    mkdirSync(dirname(join(oracleRoot, file)), { recursive: true });
    writeFileSync(join(oracleRoot, file), text.replace(/\buuid\b/g, 'string'));
  }
});

afterAll(() => {
  if (oracleRoot) rmSync(oracleRoot, { recursive: true, force: true });
});

/** Whether Thrift 0.17 accepts `file`, with its output for the failure message. */
function thriftVerdict(file: string): { accepts: boolean; output: string } {
  const run = spawnSync(THRIFT, ['--gen', 'js', '-out', oracleOut, join(oracleRoot, file)], {
    encoding: 'utf8',
    timeout: THRIFT_TIMEOUT_MS,
  });
  const output = `${run.stdout ?? ''}${run.stderr ?? ''}`.replaceAll(oracleRoot, '').replace(/\n{2,}/g, '\n').trim();
  return { accepts: run.status === 0, output: output || `(no output; status ${run.status}, signal ${run.signal})` };
}

describe('Apache Thrift 0.17 is installed to compare with', () => {
  it(`${THRIFT} reports version 0.17`, () => {
    expect(
      haveThrift,
      `the oracle needs Apache Thrift 0.17 at ${THRIFT} (found: ${thriftVersion ?? 'nothing'}); ` +
        "run the tests with 'npm test', which installs Debian's thrift-compiler when run as root " +
        "(or run 'apt-get install thrift-compiler' yourself)",
    ).toBe(true);
  });
});

describe('valid Thrift compiles without errors', () => {
  it('has a corpus', () => expect(accepted.length).toBeGreaterThan(20));

  it.each(accepted)('%s', async (file) => {
    const { errors, lines } = await compileFile(file);
    expect(errors.length, lines.join('\n')).toBe(0);
  });

  it.runIf(haveThrift).each(accepted)('thrift accepts %s', (file) => {
    const verdict = thriftVerdict(file);
    expect(verdict.accepts, `thrift rejects a file in the accept corpus:\n${verdict.output}`).toBe(true);
  });
});

describe('invalid Thrift is rejected with the expected code', () => {
  it('has a corpus', () => expect(rejected.length).toBeGreaterThan(20));

  it.each(rejected)('%s', async (file) => {
    const code = expectedCode(file);
    const { errors, lines } = await compileFile(file);
    expect(
      errors.map((d) => d.code),
      `expected an error ${code}; got:\n${lines.join('\n') || '(no diagnostics)'}`,
    ).toContain(code);
  });

  it.runIf(haveThrift).each(rejected)('thrift rejects %s', (file) => {
    const verdict = thriftVerdict(file);
    expect(verdict.accepts, `thrift accepts a file in the reject corpus:\n${verdict.output}`).toBe(false);
  });
});

describe('Thrift-accepted IDL we reject on purpose', () => {
  it.each(stricter)('%s', async (file) => {
    const code = expectedCode(file);
    const { errors, lines } = await compileFile(file);
    expect(
      errors.map((d) => d.code),
      `expected an error ${code}; got:\n${lines.join('\n') || '(no diagnostics)'}`,
    ).toContain(code);
  });

  it.runIf(haveThrift).each(stricter)('thrift accepts %s', (file) => {
    const verdict = thriftVerdict(file);
    expect(verdict.accepts, `thrift rejects a file in the stricter corpus (move it to thrift-reject):\n${verdict.output}`).toBe(
      true,
    );
  });
});
