/**
 * skiff's generated codec for record.rpc (rpcgen output compiled with tsc), driven through the
 * runtime's `encode`/`decode` entry points exactly as applications call them.
 */
import { pathToFileURL } from 'node:url';
import { decode, encode, type Codec, type Protocol } from '../../runtime/index.js';
import type { CanonicalCustomer } from './customer.js';
import type { CodecPeer } from './peers.js';

/**
 * The generated `Customer` has the canonical record's shape with optional fields, so the
 * canonical value is passed as it is and a decoded value is checked field by field as it is.
 */
export async function createSkiffPeer(modulePath: string, protocol: Protocol, customer: CanonicalCustomer): Promise<CodecPeer> {
  const { Customer } = (await import(pathToFileURL(modulePath).href)) as { Customer: Codec<CanonicalCustomer> };
  const value: CanonicalCustomer = structuredClone(customer);
  return {
    name: `skiff ${protocol}`,
    encode: () => encode(Customer, value, protocol),
    decode: (bytes) => decode(Customer, bytes, protocol),
    toCanonical: (decoded) => decoded as CanonicalCustomer,
  };
}
