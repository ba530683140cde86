import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createServer } from '../../runtime/server/server.js';
import { createStderrLogger, stderrLogger, type Logger } from '../../runtime/logger.js';

afterEach(() => vi.restoreAllMocks());

function captured(logger: Logger): string[] {
  const lines: string[] = [];
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (lines.push(String(chunk)), true));
  logger.debug({ a: 1 }, 'debug line');
  logger.info({ b: 'x' }, 'info line');
  logger.warn({ peer: '127.0.0.1:1', missing: undefined }, 'warn line');
  logger.error({}, 'error line');
  return lines;
}

describe('stderr logger', () => {
  it('is quiet by default: warnings and errors only, one line each with its fields', () => {
    expect(captured(stderrLogger)).toEqual(['skiff warn: warn line peer="127.0.0.1:1"\n', 'skiff error: error line\n']);
  });

  it('writes the chosen level and above', () => {
    expect(captured(createStderrLogger('debug'))).toHaveLength(4);
    expect(captured(createStderrLogger('info'))[0]).toBe('skiff info: info line b="x"\n');
    expect(captured(createStderrLogger('error'))).toEqual(['skiff error: error line\n']);
  });
});

describe('pino compatibility', () => {
  it('a pino logger is passed as is: the server\'s events arrive as pino records with their fields', async () => {
    const records: Array<Record<string, unknown>> = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const text of chunk.toString().split('\n')) if (text !== '') records.push(JSON.parse(text) as Record<string, unknown>);
        done();
      },
    });
    const logger: Logger = pino({ level: 'debug' }, destination);
    const server = createServer({ logger, idleTimeoutMs: 0 });
    await server.listen({ port: 0, host: '127.0.0.1' });
    await server.close({ graceMs: 100 });
    await new Promise((resolve) => setImmediate(resolve));
    expect(records.find((r) => r['msg'] === 'server closed')).toMatchObject({ level: 30, inFlightAtClose: 0, cutOff: 0 });
  });
});
