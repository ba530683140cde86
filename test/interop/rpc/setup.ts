/**
 * Shared setup of the RPC interop suites: code generation for every peer from the IDL in this
 * directory, and the child processes that run Apache Thrift's Python library.
 *
 * ```
 * interop.rpc ----rpcgen (compile(), at test time)----> .gen-XXXX/interop.ts  (imported; types in interop-api.ts)
 * interop{,_v1,_v2}.rpc --thrift --gen py-----------> $TMPDIR/skiff-rpc-interop-XXXX/{interop,interop_v1,interop_v2}/
 * interop{,_v2}.rpc ----thrift --gen js:node--------> .gen-npm-XXXX/*.js  (CommonJS, requires npm `thrift`)
 * ```
 *
 * Generated TypeScript and JavaScript go to temporary directories inside the repository (so
 * `skiff/runtime` and `thrift` resolve), Python to the OS temp directory; `cleanup()` removes
 * them all. Nothing is written to idl-examples/ or generated/.
 */
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { compile, renderDiagnostic } from '../../../compiler/index.js';
import type { InteropModule } from './interop-api.js';

export const ROOT = resolve(import.meta.dirname, '../../..');
export const HERE = import.meta.dirname;
export { PYTHON, requireThrift, THRIFT } from '../thrift-tools.js';
import { PYTHON, THRIFT } from '../thrift-tools.js';

const tempDirs: string[] = [];

/** Removes every directory this module created. */
export function cleanup(): void {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** rpcgen's output for interop.rpc, imported. Fails on any compile error. */
export async function loadInterop(): Promise<InteropModule> {
  const path = 'test/interop/rpc/interop.rpc';
  const readFile = (p: string) => {
    const absolute = join(ROOT, p);
    return existsSync(absolute) ? readFileSync(absolute, 'utf8') : undefined;
  };
  const result = await compile([path], { host: { readFile }, rootDirs: ['test/interop/rpc'], version: '0.0.0-test' });
  const errors = result.diagnostics.filter((d) => d.severity === 'error').map((d) => renderDiagnostic(d, result.sources));
  if (errors.length > 0) throw new Error(`rpcgen failed on ${path}:\n${errors.join('\n')}`);
  const dir = mkdtempSync(join(HERE, '.gen-'));
  tempDirs.push(dir);
  for (const file of result.files) writeFileSync(join(dir, file.path), file.text);
  return (await import(pathToFileURL(join(dir, 'interop.ts')).href)) as InteropModule;
}

/** `thrift --gen py` for the three IDL files; returns the directory to put on Python's path. */
export function generatePython(): string {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-rpc-interop-'));
  tempDirs.push(dir);
  for (const idl of ['interop.rpc', 'interop_v1.rpc', 'interop_v2.rpc']) {
    execFileSync(THRIFT, ['--gen', 'py', '-out', dir, join(HERE, idl)], { stdio: 'pipe' });
  }
  return dir;
}

/** `thrift --gen js:node` for interop.rpc and interop_v2.rpc (CommonJS modules requiring npm `thrift`). */
export function generateNodeThrift(): { interop: string; v2: string } {
  const interop = mkdtempSync(join(HERE, '.gen-npm-'));
  const v2 = mkdtempSync(join(HERE, '.gen-npm-'));
  tempDirs.push(interop, v2);
  execFileSync(THRIFT, ['--gen', 'js:node', '-out', interop, join(HERE, 'interop.rpc')], { stdio: 'pipe' });
  execFileSync(THRIFT, ['--gen', 'js:node', '-out', v2, join(HERE, 'interop_v2.rpc')], { stdio: 'pipe' });
  // The repository is "type": "module"; Thrift's js:node output is CommonJS.
  for (const dir of [interop, v2]) writeFileSync(join(dir, 'package.json'), '{ "type": "commonjs" }\n');
  return { interop, v2 };
}

/**
 * A Python child process speaking JSON lines: requests carry an `id`, responses echo it. The
 * first line may be an unsolicited greeting (`ready`), awaited with {@link PythonProcess.greeting}.
 */
export class PythonProcess<Response extends { readonly id?: number }> {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly waiting = new Map<number, (response: Response) => void>();
  private nextId = 1;
  private stderrText = '';
  private exited: string | undefined;
  private greet: ((line: Response) => void) | undefined;
  private readonly greeted: Promise<Response>;

  constructor(script: string, args: readonly string[]) {
    this.child = spawn(PYTHON, [join(HERE, 'python', script), ...args], {
      env: { ...process.env, PYTHONHASHSEED: '0', PYTHONDONTWRITEBYTECODE: '1' },
    });
    this.greeted = new Promise((resolveGreeting, reject) => {
      this.greet = resolveGreeting;
      this.child.on('exit', (code, signal) => {
        this.exited = `${script} exited (${code ?? signal}): ${this.stderrText}`;
        reject(new Error(this.exited));
        for (const done of this.waiting.values()) done({ id: -1, ok: false, error: this.exited } as unknown as Response);
        this.waiting.clear();
      });
    });
    this.greeted.catch(() => {});
    this.child.stderr.on('data', (chunk: Buffer) => (this.stderrText += chunk.toString()));
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      const message = JSON.parse(line) as Response;
      if (message.id === undefined) {
        this.greet?.(message);
        return;
      }
      this.waiting.get(message.id)?.(message);
      this.waiting.delete(message.id);
    });
  }

  /** Python's stderr so far (tracebacks of a failing peer). */
  get stderr(): string {
    return this.stderrText;
  }

  /** The first line without an id. */
  greeting(): Promise<Response> {
    return this.greeted;
  }

  request(request: Record<string, unknown>): Promise<Response> {
    if (this.exited !== undefined) return Promise.reject(new Error(this.exited));
    const id = this.nextId++;
    return new Promise((resolveResponse) => {
      this.waiting.set(id, resolveResponse);
      this.child.stdin.write(`${JSON.stringify({ ...request, id })}\n`);
    });
  }

  /** Closes stdin (the scripts exit on EOF) and kills the process if it has not exited by then. */
  async close(): Promise<void> {
    if (this.exited !== undefined) return;
    const exited = new Promise<void>((done) => this.child.once('exit', () => done()));
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 2000);
    await exited;
    clearTimeout(timer);
  }
}
