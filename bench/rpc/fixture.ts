/**
 * The data every server peer serves, so all of them encode the same replies: four users (ids
 * 1..4) with every field of `User` set.
 */

/** One user, in plain values each peer converts to its own representation. */
export interface FixtureUser {
  readonly id: number;
  readonly email: string;
  readonly displayName: string;
  /** `Role.EDITOR`. */
  readonly role: number;
  /** `AccountStatus.ACTIVE`. */
  readonly status: number;
  readonly createdAt: number;
  readonly lastLoginAt: number;
  readonly tags: readonly string[];
  readonly preferences: Readonly<Record<string, string>>;
  readonly emailVerified: boolean;
}

/** Users 1..4; `getUser(key)` returns `USERS[key - 1]`. */
export const USERS: readonly FixtureUser[] = [1, 2, 3, 4].map((id) => ({
  id,
  email: `user${id}@example.com`,
  displayName: `User Number ${id}`,
  role: 2,
  status: 1,
  createdAt: 1_700_000_000_000 + id,
  lastLoginAt: 1_700_000_500_000 + id,
  tags: ['beta', 'vip'],
  preferences: { locale: 'de-DE', theme: 'dark' },
  emailVerified: true,
}));

/** The number of distinct `getUser` keys (1..USER_COUNT). */
export const USER_COUNT = USERS.length;

/** Throws unless a reply carries the user that was asked for. */
export function checkUser(peer: string, key: number, id: number, email: string): void {
  if (id !== key || email !== USERS[key - 1]!.email) {
    throw new Error(`${peer}: getUser(${key}) returned user ${id} <${email}>: a reply matched to the wrong call`);
  }
}

/** Throws unless `ping` returned "pong". */
export function checkPong(peer: string, value: unknown): void {
  if (value !== 'pong') throw new Error(`${peer}: ping returned ${JSON.stringify(value)}`);
}
