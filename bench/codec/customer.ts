/**
 * The benchmark's one record, in a library-neutral form that every peer converts from (once,
 * outside the timed loops) and back (to verify its round trip).
 *
 * The shape is record.rpc's `Customer`; the same shape is in record.proto and record.avsc.json.
 */
import { deepStrictEqual } from 'node:assert/strict';

/** A postal address. */
export interface CanonicalAddress {
  street: string;
  city: string;
  zip: string;
  country: string;
}

/** One order line. */
export interface CanonicalItem {
  sku: string;
  qty: number;
  price: number;
}

/** The record, with its natural TypeScript types (i64 as bigint, map as Map). */
export interface CanonicalCustomer {
  id: bigint;
  name: string;
  email: string;
  age: number;
  score: number;
  active: boolean;
  tags: string[];
  attrs: Map<string, string>;
  address: CanonicalAddress;
  items: CanonicalItem[];
}

/** Number of entries in `tags`, `attrs` and `items`, as the issue specifies them. */
export const TAG_COUNT = 5;
export const ATTR_COUNT = 3;
export const ITEM_COUNT = 10;

/**
 * Builds the record: realistic ASCII text, an id beyond 32 bits (but a safe integer, so peers
 * that keep i64 as a JavaScript number represent it exactly), prices with cents.
 */
export function createCustomer(): CanonicalCustomer {
  const items: CanonicalItem[] = [];
  for (let i = 0; i < ITEM_COUNT; i++) {
    items.push({ sku: `SKU-${String(104729 + i * 7919).padStart(8, '0')}`, qty: 1 + ((i * 3) % 7), price: 4.99 + i * 2.5 });
  }
  return {
    id: 9_007_199_254_123n,
    name: 'Ada Lovelace',
    email: 'ada.lovelace@example.com',
    age: 36,
    score: 4.73,
    active: true,
    tags: ['premium', 'newsletter', 'beta-tester', 'eu', 'mobile'].slice(0, TAG_COUNT),
    attrs: new Map([
      ['locale', 'en-GB'],
      ['timezone', 'Europe/London'],
      ['referrer', 'spring-campaign'],
    ].slice(0, ATTR_COUNT) as [string, string][]),
    address: { street: '12 St James Square', city: 'London', zip: 'SW1Y 4JH', country: 'United Kingdom' },
    items,
  };
}

/**
 * Throws unless `decoded` (already mapped back by a peer) equals `expected` field by field; the
 * message names the peer so a codec that loses data is stopped before it is timed.
 */
export function assertSameCustomer(peer: string, decoded: CanonicalCustomer, expected: CanonicalCustomer): void {
  try {
    deepStrictEqual(decoded, expected);
  } catch (error) {
    throw new Error(`${peer}: the decoded record differs from the encoded one`, { cause: error });
  }
}
