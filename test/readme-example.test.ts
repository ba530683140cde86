/** The README's codec example, as written there, so the README cannot drift from what works. */
import { expect, it } from 'vitest';
import { decode, encode } from 'skiff/runtime';
import { User } from '../generated/account/user_service.js';

it('encodes and decodes a generated struct as the README shows', () => {
  const bytes = encode(User, User.create({ id: 1n, email: 'a@example.com', createdAt: 0n }));
  const user = decode(User, bytes);
  expect(user).toEqual(User.create({ id: 1n, email: 'a@example.com', createdAt: 0n }));
  expect(decode(User, encode(User, user, 'binary'), 'binary')).toEqual(user);
});
