/**
 * Every method of idl-examples/ end to end over real TCP, through the generated clients and
 * handlers: UserService (demo/user-store.ts), BaseService, OrderService and AdminService
 * (fixtures/shop-store.ts) and KitchenSink (fixtures/kitchen-sink-handler.ts), in all four
 * combinations of framing (THeader, bare TFramedTransport) and protocol (Compact, Binary).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger, type Framing, type WireProtocol } from 'skiff/runtime';
import { UserStore } from '../../demo/user-store.js';
import { AccountStatus, EmailTaken, Role, UserService, UserServiceClient, type User } from '../../generated/account/user_service.js';
import { HealthStatus, InvalidArgument, NotFound, PermissionDenied } from '../../generated/common/types.js';
import { CodedError, Color, Error_, KitchenError, KitchenSink, KitchenSinkClient } from '../../generated/kitchen_sink.js';
import { AdminService, AdminServiceClient, RefundReason } from '../../generated/shop/admin_service.js';
import {
  OrderServiceClient,
  OrderState,
  OutOfStock,
  PaymentDeclined,
  PlaceOrderRequest,
  LineItem,
  type Address,
} from '../../generated/shop/order_service.js';
import { Cleanup, openChannel, rejection, startServer, waitFor } from './fixtures/harness.js';
import { KitchenSinkStore } from './fixtures/kitchen-sink-handler.js';
import { AdminStore } from './fixtures/shop-store.js';

const COMBINATIONS: ReadonlyArray<{ framing: Framing; protocol: WireProtocol }> = [
  { framing: 'header', protocol: 'compact' },
  { framing: 'header', protocol: 'binary' },
  { framing: 'framed', protocol: 'compact' },
  { framing: 'framed', protocol: 'binary' },
];

const NOW = 1_700_000_000_000n;
const ADDRESS: Address = { recipient: 'Ada', line1: '1 Loop Road', city: 'Localhost', postalCode: '12345', countryCode: 'DE' };
const generous = { timeoutMs: 10_000 };

describe.each(COMBINATIONS)('idl-examples over $framing framing, $protocol protocol', ({ framing, protocol }) => {
  const cleanup = new Cleanup();
  const customers = new Map<bigint, User>();
  let userStore: UserStore;
  let adminStore: AdminStore;
  let kitchenStore: KitchenSinkStore;
  let users: UserServiceClient;
  let orders: OrderServiceClient;
  let admin: AdminServiceClient;
  let kitchen: KitchenSinkClient;
  const metadataTravels = framing === 'header';

  beforeAll(async () => {
    userStore = new UserStore(() => NOW);
    adminStore = new AdminStore(new Map([['SKU-1', 10], ['SKU-2', 1]]), (id) => customers.get(id));
    kitchenStore = new KitchenSinkStore();
    // UserService registers first, so the unqualified `ping`/`health` go to it; the order and
    // admin methods exist only in AdminService (which inherits OrderService's).
    const shop = await startServer(cleanup, (s) => s.addService(UserService, userStore).addService(AdminService, adminStore), { logger: silentLogger });
    // KitchenSink's `ping` is void, so it gets a server of its own.
    const sink = await startServer(cleanup, (s) => s.addService(KitchenSink, kitchenStore), { logger: silentLogger });
    const shopChannel = openChannel(cleanup, shop.port, { framing, protocol });
    users = new UserServiceClient(shopChannel);
    orders = new OrderServiceClient(shopChannel);
    admin = new AdminServiceClient(shopChannel);
    kitchen = new KitchenSinkClient(openChannel(cleanup, sink.port, { framing, protocol }));
  });
  afterAll(() => cleanup.run());

  async function createCustomer(email: string): Promise<User> {
    const user = await users.createUser({ email, role: Role.VIEWER }, generous);
    customers.set(user.id, user);
    return user;
  }

  it('BaseService: ping and health', async () => {
    expect(await users.ping(generous)).toBe('pong');
    expect(await users.health(generous)).toBe(HealthStatus.SERVING);
    expect(await orders.ping(generous)).toBe('pong');
    expect(await admin.health(generous)).toBe(HealthStatus.SERVING);
  });

  it('UserService: createUser, getUser, updateUser, listUsers, deleteUser, with declared exceptions', async () => {
    const ada = await users.createUser({ email: 'Ada@Example.com', displayName: 'Ada', role: Role.EDITOR, idempotencyKey: 'k-ada' }, generous);
    expect(ada).toMatchObject({ email: 'ada@example.com', displayName: 'Ada', role: Role.EDITOR, status: AccountStatus.PENDING_VERIFICATION, createdAt: NOW });
    expect(ada.tags).toEqual(new Set());
    expect(ada.preferences).toEqual(new Map());
    expect(ada.emailVerified).toBe(false);
    // The idempotency key returns the first result.
    expect((await users.createUser({ email: 'other@example.com', role: Role.VIEWER, idempotencyKey: 'k-ada' }, generous)).id).toBe(ada.id);
    const bob = await users.createUser({ email: 'bob@example.com', role: Role.VIEWER }, generous);

    const taken = await rejection(users.createUser({ email: 'ADA@example.com', role: Role.VIEWER }, generous));
    expect(taken).toBeInstanceOf(EmailTaken);
    expect(taken).toMatchObject({ email: 'ada@example.com', message: 'ada@example.com is taken' });
    const invalid = await rejection(users.createUser({ email: 'no-at-sign', role: Role.VIEWER }, generous));
    expect(invalid).toBeInstanceOf(InvalidArgument);
    expect(invalid).toMatchObject({ field: 'email' });

    expect(await users.getUser(bob.id, generous)).toEqual(bob);
    const missing = await rejection(users.getUser(999_999n, generous));
    expect(missing).toBeInstanceOf(NotFound);
    expect(missing).toMatchObject({ entity: 'user', id: '999999', message: 'no user 999999' });

    const renamed = await users.updateUser(ada.id, { displayName: 'Countess', status: AccountStatus.ACTIVE, tags: new Set(['vip', 'beta']) }, generous);
    expect(renamed).toMatchObject({ id: ada.id, displayName: 'Countess', status: AccountStatus.ACTIVE, role: Role.EDITOR });
    expect(renamed.tags).toEqual(new Set(['vip', 'beta']));
    // Changing a role needs metadata `role: admin`, which only THeader carries.
    const promote = users.updateUser(ada.id, { role: Role.ADMIN }, { ...generous, metadata: { role: 'admin' } });
    if (metadataTravels) expect((await promote).role).toBe(Role.ADMIN);
    else expect(await rejection(promote)).toBeInstanceOf(PermissionDenied);
    const denied = await rejection(users.updateUser(ada.id, { role: Role.ADMIN }, generous));
    expect(denied).toBeInstanceOf(PermissionDenied);
    expect(denied).toMatchObject({ permission: 'users.setRole' });

    const first = await users.listUsers({ page: { limit: 1 } }, generous);
    expect(first.users.map((u) => u.id)).toEqual([ada.id]);
    expect(first.page).toEqual({ totalCount: 2n, nextCursor: String(ada.id) });
    const second = await users.listUsers({ page: { limit: 5, cursor: first.page.nextCursor! } }, generous);
    expect(second.users.map((u) => u.email)).toEqual(['bob@example.com']);
    expect(second.page.nextCursor).toBeUndefined();
    expect((await users.listUsers({ page: { limit: 10 }, role: Role.VIEWER }, generous)).users.map((u) => u.id)).toEqual([bob.id]);
    const badLimit = await rejection(users.listUsers({ page: { limit: 0 } }, generous));
    expect(badLimit).toBeInstanceOf(InvalidArgument);
    expect(badLimit).toMatchObject({ field: 'page.limit' });

    await users.deleteUser(bob.id, generous);
    expect(await rejection(users.deleteUser(bob.id, generous))).toBeInstanceOf(NotFound);
    expect(await rejection(users.getUser(bob.id, generous))).toBeInstanceOf(NotFound);
  });

  it('UserService.recordLogin (oneway) resolves once sent and is observed on the server', async () => {
    const before = userStore.logins.length;
    await expect(users.recordLogin(7n, NOW + 5n)).resolves.toBeUndefined();
    await users.recordLogin(8n, NOW + 6n);
    await waitFor(() => userStore.logins.length === before + 2, 'both logins to reach the handler');
    expect(userStore.logins.slice(before)).toEqual([
      { id: 7n, at: NOW + 5n },
      { id: 8n, at: NOW + 6n },
    ]);
  });

  it('OrderService: placeOrder, getOrder, getOrderDetails, listOrders, cancelOrder, with declared exceptions', async () => {
    const customer = await createCustomer(`buyer-${framing}-${protocol}@example.com`);
    const request = PlaceOrderRequest.create({
      customerId: customer.id,
      items: [
        LineItem.create({ sku: 'SKU-1', quantity: 2, unitPrice: { amountMinor: 1250n, currency: 'EUR' }, attributes: new Map([['size', 'M']]) }),
      ],
      shippingAddress: ADDRESS,
      billingAddress: { ...ADDRESS, line2: 'c/o Billing', region: 'BE' },
      payment: { kind: 'card', value: { token: 'tok_1', last4: '4242', expiryMonth: 12, expiryYear: 2031 } },
      couponCodes: new Set(['WELCOME']),
    });
    const placed = await orders.placeOrder(request, generous);
    expect(placed).toMatchObject({
      customerId: customer.id,
      state: OrderState.PLACED,
      total: { amountMinor: 2500n, currency: 'EUR' },
      shippingAddress: ADDRESS,
      billingAddress: { ...ADDRESS, line2: 'c/o Billing', region: 'BE' },
      payment: { kind: 'card', value: { token: 'tok_1', last4: '4242', expiryMonth: 12, expiryYear: 2031 } },
      createdAt: NOW,
    });
    expect(placed.items[0]!.attributes).toEqual(new Map([['size', 'M']]));
    expect(placed.couponCodes).toEqual(new Set(['WELCOME']));
    const second = await orders.placeOrder(
      PlaceOrderRequest.create({
        customerId: customer.id,
        items: [LineItem.create({ sku: 'SKU-1', unitPrice: { amountMinor: 100n, currency: 'EUR' } })],
        shippingAddress: ADDRESS,
        payment: { kind: 'bankTransfer', value: { iban: 'DE00 1234', reference: 'r-1' } },
      }),
      generous,
    );
    expect(second.payment).toEqual({ kind: 'bankTransfer', value: { iban: 'DE00 1234', reference: 'r-1' } });

    const outOfStock = await rejection(
      orders.placeOrder({ ...request, items: [LineItem.create({ sku: 'SKU-2', quantity: 5, unitPrice: { amountMinor: 1n, currency: 'EUR' } })] }, generous),
    );
    expect(outOfStock).toBeInstanceOf(OutOfStock);
    expect(outOfStock).toMatchObject({ sku: 'SKU-2', requested: 5, available: 1, message: 'only 1 of SKU-2' });
    const declined = await rejection(orders.placeOrder({ ...request, payment: { kind: 'giftCard', value: { code: 'EMPTY' } } }, generous));
    expect(declined).toBeInstanceOf(PaymentDeclined);
    expect(declined).toMatchObject({ reasonCode: 'NO_BALANCE', retryable: false });
    expect(await rejection(orders.placeOrder({ ...request, items: [] }, generous))).toBeInstanceOf(InvalidArgument);
    const noCustomer = await rejection(orders.placeOrder({ ...request, customerId: 424_242n }, generous));
    expect(noCustomer).toBeInstanceOf(NotFound);
    expect(noCustomer).toMatchObject({ entity: 'user', id: '424242' });

    expect(await orders.getOrder(placed.id, generous)).toEqual(placed);
    expect(await rejection(orders.getOrder(1n, generous))).toBeInstanceOf(NotFound);
    const details = await orders.getOrderDetails(placed.id, generous);
    expect(details.order).toEqual(placed);
    expect(details.customer).toEqual(customer);

    const page1 = await orders.listOrders(customer.id, { limit: 1 }, generous);
    expect(page1.orders.map((o) => o.id)).toEqual([second.id]);
    expect(page1.page).toEqual({ totalCount: 2n, nextCursor: String(second.id) });
    const page2 = await orders.listOrders(customer.id, { limit: 1, cursor: page1.page.nextCursor! }, generous);
    expect(page2.orders.map((o) => o.id)).toEqual([placed.id]);

    const cancelled = await orders.cancelOrder(placed.id, 'changed my mind', generous);
    expect(cancelled.state).toBe(OrderState.CANCELLED);
    expect(cancelled.attributes.get('cancelReason')).toBe('changed my mind');
    expect(await orders.cancelOrder(placed.id, 'again', generous)).toEqual(cancelled);
  });

  it('AdminService: refund, setUserRole, orderCountsByState, rebuildSearchIndex (oneway), plus inherited methods', async () => {
    const customer = await createCustomer(`admin-target-${framing}-${protocol}@example.com`);
    const order = await admin.placeOrder(
      PlaceOrderRequest.create({
        customerId: customer.id,
        items: [LineItem.create({ sku: 'SKU-1', unitPrice: { amountMinor: 900n, currency: 'USD' } })],
        shippingAddress: ADDRESS,
        payment: { kind: 'giftCard', value: { code: 'GC-1', balance: { amountMinor: 5000n, currency: 'USD' } } },
      }),
      generous,
    );
    expect(order.payment).toEqual({ kind: 'giftCard', value: { code: 'GC-1', balance: { amountMinor: 5000n, currency: 'USD' } } });
    const asAdmin = { ...generous, metadata: { role: 'admin' } };
    const refundRequest = { orderId: order.id, amount: { amountMinor: 400n, currency: 'USD' }, reason: RefundReason.DAMAGED, note: 'box crushed' };

    if (!metadataTravels) {
      // Bare TFramedTransport carries no metadata: the handler sees no `role` and refuses.
      const denied = await rejection(admin.refund(refundRequest, asAdmin));
      expect(denied).toBeInstanceOf(PermissionDenied);
      expect(denied).toMatchObject({ permission: 'orders.refund' });
      expect(await rejection(admin.orderCountsByState(asAdmin))).toBeInstanceOf(PermissionDenied);
    } else {
      const refund = await admin.refund(refundRequest, asAdmin);
      expect(refund).toEqual({ refundId: expect.any(BigInt), request: refundRequest, refundedAt: 1_700_000_000_500n });
      const tooMuch = await rejection(admin.refund({ ...refundRequest, amount: { amountMinor: 600n, currency: 'USD' } }, asAdmin));
      expect(tooMuch).toBeInstanceOf(InvalidArgument);
      expect(tooMuch).toMatchObject({ field: 'amount' });
      expect(await rejection(admin.refund({ ...refundRequest, orderId: 1n }, asAdmin))).toBeInstanceOf(NotFound);
      expect(await rejection(admin.refund(refundRequest, generous))).toBeInstanceOf(PermissionDenied);

      await expect(admin.setUserRole(customer.id, Role.EDITOR, asAdmin)).resolves.toBeUndefined();
      expect(adminStore.roles.get(customer.id)).toBe(Role.EDITOR);
      expect(await rejection(admin.setUserRole(123_456n, Role.EDITOR, asAdmin))).toBeInstanceOf(NotFound);

      // Expected counts, from listOrders over every customer this suite created.
      const expected = new Map<number, bigint>();
      for (const id of customers.keys()) {
        for (const o of (await admin.listOrders(id, { limit: 100 }, generous)).orders) expected.set(o.state, (expected.get(o.state) ?? 0n) + 1n);
      }
      const counts = await admin.orderCountsByState(asAdmin);
      expect(counts).toEqual(expected);
      expect(counts.get(OrderState.PLACED)).toBeGreaterThanOrEqual(1n);
    }
    const rebuildsBefore = adminStore.searchIndexRebuilds;
    await admin.rebuildSearchIndex();
    await waitFor(() => adminStore.searchIndexRebuilds === rebuildsBefore + 1, 'rebuildSearchIndex to reach the handler');
    // Inherited OrderService methods work through the AdminService client.
    expect(await admin.getOrder(order.id, generous)).toEqual(order);
  });

  it('KitchenSink: every method, every parameter kind, both declared exceptions', async () => {
    expect(await kitchen.echo('grüße, 世界 🚀', generous)).toBe('grüße, 世界 🚀');
    const pings = kitchenStore.pings;
    await expect(kitchen.ping(generous)).resolves.toBeUndefined();
    expect(kitchenStore.pings).toBe(pings + 1);
    await expect(kitchen.nothing(generous)).resolves.toBeUndefined();

    const blob = Uint8Array.from([0, 1, 2, 255]);
    const shapes = [
      { kind: 'circle', value: { radius: 1.5 } },
      { kind: 'rect', value: { width: 2, height: 3 } },
    ] as const;
    const index = new Map([['primes', [2n, 3n, 5n]]]);
    const uuid = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';
    const price = { amountMinor: -12n, currency: 'JPY' };
    const result = await kitchen.everything(true, -(2n ** 62n) - 5n, blob, [...shapes], index, Color.BLUE, price, uuid, generous);
    expect(result).toEqual({
      ints: [Number(BigInt.asIntN(32, -(2n ** 62n) - 5n)), 4, Color.BLUE],
      names: new Set([uuid, 'JPY']),
      scores: new Map([['price', -12]]),
      grid: [['primes']],
      colorsById: new Map([[-(2n ** 62n) - 5n, new Set([Color.BLUE])]]),
      blobs: [blob, Uint8Array.from([255, 2, 1, 0])],
      balances: new Map([[uuid, price]]),
      shapes: [...shapes],
      index,
    });
    const kitchenError = await rejection(kitchen.everything(false, 7n, blob, [], new Map(), Color.RED, price, uuid, generous));
    expect(kitchenError).toBeInstanceOf(KitchenError);
    expect(kitchenError).toMatchObject({ code: 418, details: [uuid, '7'], message: 'aBool was false' });

    expect(await kitchen.reservedNames(1, 'abc', 2, 3, 4, 5, generous)).toBe(1 + 3 + 20 + 300 + 4000 + 50000);

    await kitchen.fireAndForget('launched');
    await waitFor(() => kitchenStore.events.includes('launched'), 'the oneway fireAndForget to reach the handler');

    expect(await kitchen.balances([1n, 2n], generous)).toEqual(
      new Map([
        ['acct-1', { amountMinor: 100n, currency: 'EUR' }],
        ['acct-2', { amountMinor: 200n, currency: 'EUR' }],
      ]),
    );
    const coded = await rejection(kitchen.balances([], generous));
    expect(coded).toBeInstanceOf(CodedError);
    expect(coded).toMatchObject({ message_: 404, reason: 'no ids' });

    expect(await kitchen.draw({ shapes: [{ kind: 'rect', value: { width: 4, height: 5 } }], background: Color.GREEN }, generous)).toEqual({
      kind: 'rect',
      value: { width: 4, height: 5 },
    });
    const drawError = await rejection(kitchen.draw({ background: Color.GREEN }, generous));
    expect(drawError).toBeInstanceOf(Error_);
    expect(drawError).toMatchObject({ message: 'empty canvas', name_: 'EmptyCanvas', stack_: 'none', cause_: Color.GREEN });

    expect(await kitchen.constructor_(generous)).toEqual({ key: 'constructor', value: 'not Object.prototype.constructor' });
  });
});
