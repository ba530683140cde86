/**
 * Builds a large, realistic IDL for the compiler benchmark: `structs` structs spread over enums,
 * typedefs, unions and exceptions, and `services` services with ten methods each.
 */
export function largeIdl(structs: number, services: number): string {
  const out: string[] = ['namespace js bench.large', '', 'typedef i64 Id', 'typedef string Name', ''];
  out.push('enum Level {', '  LOW = 1,', '  MEDIUM = 2,', '  HIGH = 3', '}', '');
  out.push('exception Failure {', '  1: string message,', '  2: i32 code', '}', '');
  for (let i = 0; i < structs; i++) {
    const ref = i > 0 ? `Record${i - 1}` : 'Level';
    out.push(
      `/** Record number ${i}, with every common kind of field. */`,
      `struct Record${i} {`,
      '  1: required Id id,',
      '  2: optional Name name,',
      '  3: i32 count = 0,',
      '  4: double score,',
      '  5: bool active = true,',
      '  6: list<string> tags,',
      '  7: map<string, i64> counters,',
      '  8: set<i32> flags,',
      `  9: optional ${ref} previous,`,
      '  10: binary payload,',
      '  11: Level level = Level.MEDIUM,',
      '}',
      '',
    );
  }
  for (let s = 0; s < services; s++) {
    out.push(`/** Service number ${s}. */`, `service Service${s} {`);
    for (let m = 0; m < 10; m++) {
      const r = (s * 10 + m) % structs;
      out.push(`  /** Method ${m}. */`, `  Record${r} call${m}(1: Id id, 2: Record${r} input, 3: list<Record${r}> more) throws (1: Failure failure),`);
    }
    out.push('  oneway void notify(1: string event)', '}', '');
  }
  return out.join('\n');
}
