/**
 * The status page in a real browser: Debian's Chromium (/usr/bin/chromium) driven by
 * playwright-core. A server runs under a steady load of calls; the page must show the numbers
 * moving between two reads, the channel's instances and redacted metadata, without script or
 * CSP errors. It saves a screenshot to a temp directory, and also to the path in the
 * SKIFF_SCREENSHOT environment variable when set (how docs/admin-page.png is made).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createAdminServer, ErrorCode, RpcError, type AdminServer, type CallContext, type ChannelStatus } from 'skiff/runtime';
import { UserService, UserServiceClient } from '../../generated/account/user_service.js';
import { capturingLogger, Cleanup, openChannel, sleep, startServer } from '../rpc/fixtures/harness.js';
import { UserHandler } from '../rpc/fixtures/user-handler.js';

const CHROMIUM = '/usr/bin/chromium';
/** Flags that work as root on these machines (see /work/shared/CONVENTIONS.md); playwright adds --headless. */
const CHROMIUM_FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const cleanup = new Cleanup();
const profileDir = mkdtempSync(join(tmpdir(), 'skiff-chromium-'));
const shotDir = mkdtempSync(join(tmpdir(), 'skiff-admin-shot-'));
let browser: BrowserContext | undefined;
let admin: AdminServer;
let stopLoad = false;
let load: Promise<number> | undefined;

/** A handler with a little latency spread and some failures, so the page has something to show. */
class LoadedHandler extends UserHandler {
  private n = 0;

  override async ping(ctx: CallContext) {
    await sleep(++this.n % 10 === 0 ? 8 : 1);
    return super.ping(ctx);
  }

  override getUser(id: bigint, ctx: CallContext) {
    if (id % 17n === 0n) throw new RpcError(ErrorCode.UNAVAILABLE, 'backend busy');
    return super.getUser(id, ctx);
  }
}

/** Calls in `workers` loops until told to stop (or 200,000 calls); resolves to the calls made. */
async function runLoad(users: UserServiceClient, workers: number): Promise<number> {
  let made = 0;
  const worker = async (w: number): Promise<void> => {
    for (let i = 0; !stopLoad && made < 200_000; i++) {
      made++;
      const metadata = { authorization: 'Bearer do-not-show-me', 'x-request-id': `w${w}-${i}` };
      await (i % 3 === 0 ? users.getUser(BigInt(i), { metadata }) : users.ping({ metadata })).catch(() => undefined);
    }
  };
  await Promise.all(Array.from({ length: workers }, (_, w) => worker(w)));
  return made;
}

const ORDERS: ChannelStatus = {
  target: 'etcd:/services/OrderService',
  balancer: 'least-pending',
  instances: [
    { endpoint: '127.0.0.2:9090', ready: true, ejected: false, weight: 1, inFlight: 12 },
    { endpoint: '127.0.0.3:9090', ready: true, ejected: false, weight: 0.4, inFlight: 3 },
    { endpoint: '127.0.0.4:9090', ready: true, ejected: true, weight: 1, inFlight: 0 },
  ],
};

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium; npm test does it as root)`);
  const { server, port } = await startServer(cleanup, (s) => s.addService(UserService, new LoadedHandler()), { logger: capturingLogger() });
  admin = await createAdminServer({ port: 0, server, channels: { orders: { status: () => ORDERS } }, logger: capturingLogger() });
  cleanup.add(() => admin.close());
  load = runLoad(new UserServiceClient(openChannel(cleanup, port, { retry: false })), 4);
  browser = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1360, height: 1000 },
    timeout: 30_000,
  });
});

afterAll(async () => {
  stopLoad = true;
  await browser?.close();
  await load;
  await cleanup.run();
  rmSync(profileDir, { recursive: true, force: true });
  rmSync(shotDir, { recursive: true, force: true });
});

/** The number in `selector`'s text (thousands separators removed); NaN if absent. */
async function numberIn(page: Page, selector: string): Promise<number> {
  const text = await page.locator(selector).first().textContent({ timeout: 5000 });
  return Number((text ?? '').replace(/,/g, ''));
}

/** Polls `read` until `accept` holds, at most `timeoutMs`; returns the last value read. */
async function until<T>(read: () => Promise<T>, accept: (value: T) => boolean, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${String(value)})`);
    await sleep(100);
  }
}

it('shows live numbers that move under load, the channel instances and redacted metadata', async () => {
  const page = await browser!.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(`console ${message.type()}: ${message.text()}`);
  });
  await page.goto(admin.url, { timeout: 10_000 });

  const pingCalls = '[data-server="main"] [data-method="UserService.ping"] [data-field="calls"]';
  const first = await until(() => numberIn(page, pingCalls), (n) => n > 0, 'ping calls on the page');
  const second = await until(() => numberIn(page, pingCalls), (n) => n > first, 'the ping count to move');
  expect(second).toBeGreaterThan(first);
  const getUserCalls = await numberIn(page, '[data-method="UserService.getUser"] [data-field="calls"]');
  expect(getUserCalls).toBeGreaterThan(0);

  // Two polls later the tiles carry a rate, the error chips show the failures, and latency is filled in.
  await until(() => numberIn(page, '[data-server="main"] [data-field="calls-per-second"]'), (n) => n > 0, 'a call rate');
  expect(await page.locator('[data-method="UserService.getUser"] [data-code="UNAVAILABLE"]').count()).toBe(1);
  expect(await page.locator('[data-method="UserService.ping"] [data-field="p99"]').textContent()).toMatch(/\d(\.\d+)? (ms|s)$/);
  expect(await page.locator('[data-server="main"] [data-field="state"]').textContent()).toBe('listening');
  expect(await page.locator('header [data-field="ready"]').textContent()).toBe('READY');

  expect(await page.locator('[data-channel="orders"] [data-endpoint]').count()).toBe(3);
  expect(await page.locator('[data-channel="orders"] [data-endpoint="127.0.0.4:9090"] [data-field="instance-state"]').textContent()).toBe('ejected');

  const metadata = await page.locator('[data-field="rpcz-recent"] [data-field="metadata"]').allTextContents();
  expect(metadata.length).toBeGreaterThan(0);
  expect(metadata.join(' ')).toContain('authorization=[redacted]');
  expect(await page.content()).not.toContain('do-not-show-me');

  const shot = join(shotDir, 'admin-page.png');
  await page.screenshot({ path: shot, fullPage: true, timeout: 10_000 });
  expect(readFileSync(shot).subarray(1, 4).toString('latin1')).toBe('PNG');
  const wanted = process.env['SKIFF_SCREENSHOT'];
  if (wanted !== undefined && wanted !== '') {
    await sleep(10_000); // ten more polls: the sparklines fill in
    await page.screenshot({ path: resolve(wanted), fullPage: true, timeout: 10_000 });
  }

  expect(problems).toEqual([]);
  await page.close();
});

it('says so when the endpoint goes away, instead of showing stale numbers as live', async () => {
  const page = await browser!.newPage();
  await page.goto(admin.url, { timeout: 10_000 });
  await until(async () => page.locator('#live-text').textContent(), (t) => t !== null && t.startsWith('live'), 'the page to go live');
  await admin.close();
  await until(async () => page.locator('#banner').getAttribute('class'), (c) => c === 'on', 'the stale banner');
  expect(await page.locator('#live-text').textContent()).toBe('stale');
  await page.close();
});
