/**
 * The longest delay Node's `setTimeout` honours: 2^31 - 1 ms (about 24.8 days). A longer one is
 * silently replaced by 1 ms, so every deadline is capped here before a timer is armed for it.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;
