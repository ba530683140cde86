/** SeqIdTable (runtime/internal/seqid-table.ts) against a Map, under random churn like a connection's. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SeqIdTable } from '../../runtime/internal/seqid-table.js';

interface Entry {
  readonly seqId: number;
}

describe('SeqIdTable', () => {
  it('behaves as a Map of the ids it hands out, through growth and long-lived entries', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.nat()), { maxLength: 400 }), fc.integer({ min: 1, max: 2 ** 31 - 300 }), (steps, firstId) => {
        const table = new SeqIdTable<Entry>(2);
        const model = new Map<number, Entry>();
        let next = firstId;
        for (const [add, pick] of steps) {
          if (add || model.size === 0) {
            while (!table.isFree(next)) next++;
            expect(model.has(next)).toBe(false);
            const entry = { seqId: next++ };
            table.add(entry);
            model.set(entry.seqId, entry);
          } else {
            // Settle any entry, not only the oldest: replies come back in any order.
            const ids = [...model.keys()];
            const id = ids[pick % ids.length]!;
            expect(table.delete(id)).toBe(true);
            expect(table.delete(id)).toBe(false);
            model.delete(id);
          }
          expect(table.size).toBe(model.size);
        }
        for (const [id, entry] of model) expect(table.get(id)).toBe(entry);
        expect(table.get(next)).toBeUndefined();
        expect(table.values().map((e) => e.seqId).sort((a, b) => a - b)).toEqual([...model.keys()].sort((a, b) => a - b));
      }),
    );
  });

  it('an id whose slot is held by an older entry is not free, and adding it anyway throws', () => {
    const table = new SeqIdTable<Entry>(4);
    const old = { seqId: 1 };
    table.add(old);
    expect(table.isFree(5)).toBe(false);
    expect(() => table.add({ seqId: 5 })).toThrow(/slot is taken by seqid 1/);
    expect(table.get(5)).toBeUndefined();
    expect(table.get(1)).toBe(old);
    table.clear();
    expect(table.size).toBe(0);
    expect(table.isFree(5)).toBe(true);
  });
});
