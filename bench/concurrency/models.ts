/** The server concurrency models the benchmark compares (see `server-main.ts`). */
export const MODELS = ['event-loop', 'shared-accept', 'handoff', 'worker-threads'] as const;
export type Model = (typeof MODELS)[number];
