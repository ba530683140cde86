/**
 * What the admin endpoint hides (runtime/admin/redact.ts) and when it calls a process ready
 * (runtime/admin/readiness.ts).
 */
import { describe, expect, it } from 'vitest';
import { readiness } from '../../runtime/admin/readiness.js';
import { MAX_SHOWN_VALUE_CHARS, REDACTED, redactMetadata } from '../../runtime/admin/redact.js';

describe('redactMetadata', () => {
  it.each([
    ['authorization', 'Bearer abc'],
    ['Authorization', 'anything'],
    ['cookie', 'sid=1'],
    ['set-cookie', 'sid=1'],
    ['x-api-key', 'k'],
    ['api_key', 'k'],
    ['x-auth-token', 't'],
    ['refresh-token', 't'],
    ['client-secret', 's'],
    ['db-password', 'p'],
    ['x-amz-signature', 's'],
    ['session-id', 's'],
    ['proxy-authenticate', 'x'],
  ])('hides the value of %s', (key, value) => {
    expect(redactMetadata({ [key]: value })).toEqual({ [key]: REDACTED });
  });

  it.each([
    ['x-forwarded-for', 'Bearer eyJhbGciOi'],
    ['note', 'basic dXNlcjpwYXNz'],
    ['x-user', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl'],
  ])('hides credential-looking values under innocent keys (%s)', (key, value) => {
    expect(redactMetadata({ [key]: value })).toEqual({ [key]: REDACTED });
  });

  it('keeps ordinary metadata, cuts very long values, keeps __proto__ as a plain key', () => {
    const long = 'x'.repeat(1000);
    const shown = redactMetadata(JSON.parse(`{"x-request-id":"r-1","tenant":"acme","blob":"${long}","__proto__":"p"}`) as Record<string, string>);
    expect(shown['x-request-id']).toBe('r-1');
    expect(shown['tenant']).toBe('acme');
    expect(shown['blob']).toBe(`${'x'.repeat(MAX_SHOWN_VALUE_CHARS)}... (1000 chars)`);
    expect(Object.keys(shown)).toContain('__proto__');
    expect(JSON.parse(JSON.stringify(shown))).toMatchObject({ tenant: 'acme' });
  });
});

describe('readiness', () => {
  it('is ready when every server serves and the check (if any) agrees', () => {
    expect(readiness([], undefined)).toEqual({ ready: true, reason: 'ready' });
    expect(readiness([{ name: 'main', state: 'listening' }, { name: 'worker', state: 'serving-handed' }], () => true).ready).toBe(true);
  });

  it.each([
    ['created', "server 'main' is created"],
    ['draining', "server 'main' is draining"],
    ['closed', "server 'main' is closed"],
  ] as const)('is not ready while a server is %s', (state, reason) => {
    expect(readiness([{ name: 'main', state }], () => true)).toEqual({ ready: false, reason });
  });

  it('is not ready when the check says no or throws', () => {
    expect(readiness([], () => false)).toEqual({ ready: false, reason: 'the ready() check returned false' });
    expect(
      readiness([], () => {
        throw new Error('etcd unreachable');
      }),
    ).toEqual({ ready: false, reason: 'the ready() check failed: etcd unreachable' });
  });
});
