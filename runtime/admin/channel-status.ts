/**
 * What the admin endpoint needs from a client channel: a snapshot of its instances and balancer
 * state. A structural interface over the client's types only, so the admin endpoint runs no client
 * code: a `ClientChannel` fits, and so does any object that reports the same shape.
 */
import type { ChannelStatus } from '../client/channel.js';

export type { ChannelInstanceStatus, ChannelStatus } from '../client/channel.js';

/** Anything that can report a {@link ChannelStatus}; `ClientChannel` is one. */
export interface ChannelStatusSource {
  /** A snapshot now; called on every page refresh and scrape, so keep it cheap. */
  status(): ChannelStatus;
}
