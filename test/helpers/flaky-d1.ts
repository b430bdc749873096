// A D1 binding that fails the statements a test chooses, to prove that a database outage loses no record.
// Everything else passes straight through to the real local D1.

export interface D1Outage {
  /** Statements whose SQL matches fail with a D1-style error while this is set. */
  failWhen: RegExp | null;
  failures: number;
}

const REAL = Symbol("real statement");
type Wrapped = D1PreparedStatement & { [REAL]: D1PreparedStatement; sql: string };

export function flakyD1(real: D1Database, outage: D1Outage): D1Database {
  const check = (sql: string) => {
    if (outage.failWhen?.test(sql)) {
      outage.failures++;
      throw new Error("D1_ERROR: Network connection lost (simulated outage)");
    }
  };
  const wrap = (statement: D1PreparedStatement, sql: string): Wrapped =>
    new Proxy(statement, {
      get(target, prop) {
        if (prop === REAL) return target;
        if (prop === "sql") return sql;
        if (prop === "bind") return (...values: unknown[]) => wrap(target.bind(...values), sql);
        if (prop === "run" || prop === "all" || prop === "first" || prop === "raw") {
          return async (...args: unknown[]) => {
            check(sql);
            return (target[prop] as (...a: unknown[]) => unknown).apply(target, args);
          };
        }
        const value = Reflect.get(target, prop, target) as unknown;
        return typeof value === "function" ? value.bind(target) : value;
      },
    }) as Wrapped;
  return new Proxy(real, {
    get(target, prop) {
      if (prop === "prepare") return (sql: string) => wrap(target.prepare(sql), sql);
      if (prop === "batch") {
        return async (statements: Wrapped[]) => {
          for (const statement of statements) check(statement.sql);
          return target.batch(statements.map((statement) => statement[REAL]));
        };
      }
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
