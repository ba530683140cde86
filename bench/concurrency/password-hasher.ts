/**
 * The benchmark's PasswordService handler, the same in every concurrency model: `derive` and
 * `verify` are CPU-bound (PBKDF2 blocks the thread that runs it), `derivations` is nearly free.
 */
import { pbkdf2Sync, timingSafeEqual } from 'node:crypto';
import { WeakParameters, type DerivedKey, type PasswordServiceHandler } from '../../generated/security/password_service.js';

export class PasswordHasher implements PasswordServiceHandler {
  private count = 0n;

  derive(password: string, salt: Uint8Array, iterations: number): DerivedKey {
    if (iterations < 1) throw new WeakParameters({ message: `iterations must be at least 1, not ${iterations}` });
    this.count++;
    return { key: new Uint8Array(pbkdf2Sync(password, salt, iterations, 32, 'sha256')), iterations };
  }

  verify(password: string, salt: Uint8Array, expected: DerivedKey): boolean {
    const key = pbkdf2Sync(password, salt, expected.iterations, expected.key.length, 'sha256');
    return key.length === expected.key.length && timingSafeEqual(key, expected.key);
  }

  derivations(): bigint {
    return this.count;
  }
}
