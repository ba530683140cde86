/**
 * Tracing with an OpenTelemetry SDK registered (sdk-trace-base with an in-memory exporter and the
 * AsyncLocalStorage context manager, as an application would set it up): server spans, client
 * spans, and one trace across a hop (client -> server A -> server B).
 */
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { createChannel, type CallContext } from 'skiff/runtime';
import { UserService, UserServiceClient } from '../../generated/account/user_service.js';
import { UserHandler } from './fixtures/user-handler.js';
import { Cleanup, openChannel, rejection, startServer, waitFor, HOST } from './fixtures/harness.js';

const cleanup = new Cleanup();
const exporter = new InMemorySpanExporter();
const contextManager = new AsyncLocalStorageContextManager();

beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable());
  trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
});
afterAll(() => {
  trace.disable();
  context.disable();
});
afterEach(async () => {
  await cleanup.run();
  exporter.reset();
});

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';

/** ping() on server A calls ping() on server B, and answers what B's handler saw. */
class ForwardingHandler extends UserHandler {
  constructor(private readonly next: UserServiceClient | undefined) {
    super();
  }

  override async ping(ctx: CallContext): Promise<string> {
    if (this.next === undefined) return ctx.metadata['traceparent'] ?? 'none';
    return this.next.ping({ timeoutMs: 5000 });
  }
}

it('a call with traceparent gets a SERVER span, child of the caller, with the outcome', async () => {
  const { port } = await startServer(cleanup, (s) => s.addService(UserService, new ForwardingHandler(undefined)));
  const users = new UserServiceClient(openChannel(cleanup, port));
  await users.ping({ metadata: { traceparent: `00-${TRACE}-${CALLER_SPAN}-01` } });
  await rejection(users.getUser(404n));
  await waitFor(() => exporter.getFinishedSpans().filter((s) => s.kind === SpanKind.SERVER).length === 2, 'two server spans');
  const server = exporter.getFinishedSpans().filter((s) => s.kind === SpanKind.SERVER);
  const ping = server.find((s) => s.name === 'UserService/ping')!;
  expect(ping.spanContext().traceId).toBe(TRACE);
  expect(ping.parentSpanContext?.spanId).toBe(CALLER_SPAN);
  expect(ping.attributes).toMatchObject({ 'rpc.system': 'apache_thrift', 'rpc.service': 'UserService', 'rpc.method': 'ping', 'rpc.skiff.code': 'OK' });
  const getUser = server.find((s) => s.name === 'UserService/getUser')!;
  // A declared exception is a reply: the span says which one, with no error status.
  expect(getUser.attributes).toMatchObject({ 'rpc.skiff.code': 'OK', 'rpc.skiff.exception': 'NotFound' });
  expect(getUser.status.code).toBe(SpanStatusCode.UNSET);
});

it('one trace across a hop: client span -> server A span -> client span -> server B span', async () => {
  const b = await startServer(cleanup, (s) => s.addService(UserService, new ForwardingHandler(undefined)));
  const toB = createChannel({ host: HOST, port: b.port });
  cleanup.add(() => toB.close());
  const a = await startServer(cleanup, (s) => s.addService(UserService, new ForwardingHandler(new UserServiceClient(toB))));
  const users = new UserServiceClient(openChannel(cleanup, a.port));
  const root = trace.getTracer('test').startSpan('request');
  const seenByB = await context.with(trace.setSpan(context.active(), root), () => users.ping({ timeoutMs: 5000 }));
  root.end();
  await waitFor(() => exporter.getFinishedSpans().length === 5, 'five spans');
  const spans = exporter.getFinishedSpans();
  const byKind = (kind: SpanKind) => spans.filter((s) => s.kind === kind);
  const [clientToA, clientToB] = byKind(SpanKind.CLIENT).sort((x, y) => x.startTime[1] - y.startTime[1] + (x.startTime[0] - y.startTime[0]) * 1e9);
  const serverA = byKind(SpanKind.SERVER).find((s) => s.parentSpanContext?.spanId === clientToA!.spanContext().spanId)!;
  const serverB = byKind(SpanKind.SERVER).find((s) => s !== serverA)!;
  expect(new Set(spans.map((s) => s.spanContext().traceId))).toEqual(new Set([root.spanContext().traceId]));
  expect(clientToA!.parentSpanContext?.spanId).toBe(root.spanContext().spanId);
  expect(clientToB!.parentSpanContext?.spanId).toBe(serverA.spanContext().spanId);
  expect(serverB.parentSpanContext?.spanId).toBe(clientToB!.spanContext().spanId);
  expect(seenByB).toBe(`00-${root.spanContext().traceId}-${clientToB!.spanContext().spanId}-01`);
});
