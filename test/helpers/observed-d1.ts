// A D1 binding that calls `onStatement(sql)` before each statement runs (singly or in a batch), and
// otherwise passes straight through to the real D1. `onStatement` may throw to fail that statement.
// Used to inject outages in tests and to count statements in the benchmark.

const REAL = Symbol("real statement");
type Observed = D1PreparedStatement & { [REAL]: D1PreparedStatement; sql: string };

/** The property of `target`, methods bound to it: what a proxy returns for everything it does not change. */
export const forward = (target: object, prop: PropertyKey): unknown => {
  const value = Reflect.get(target, prop, target) as unknown;
  return typeof value === "function" ? value.bind(target) : value;
};

export function observeD1(real: D1Database, onStatement: (sql: string) => void): D1Database {
  const wrap = (statement: D1PreparedStatement, sql: string): Observed =>
    new Proxy(statement, {
      get(target, prop) {
        if (prop === REAL) return target;
        if (prop === "sql") return sql;
        if (prop === "bind") return (...values: unknown[]) => wrap(target.bind(...values), sql);
        if (prop === "run" || prop === "all" || prop === "first" || prop === "raw") {
          return async (...args: unknown[]) => {
            onStatement(sql);
            return (target[prop] as (...a: unknown[]) => unknown).apply(target, args);
          };
        }
        return forward(target, prop);
      },
    }) as Observed;
  // A D1 session (the Sessions API) prepares and batches the same way: observed the same way.
  const observe = <D extends D1Database | D1DatabaseSession>(database: D): D =>
    new Proxy(database, {
      get(target, prop) {
        if (prop === "prepare") return (sql: string) => wrap(target.prepare(sql), sql);
        if (prop === "batch") {
          return async (statements: Observed[]) => {
            for (const statement of statements) onStatement(statement.sql);
            return target.batch(statements.map((statement) => statement[REAL]));
          };
        }
        if (prop === "withSession" && "withSession" in target)
          return (...args: Parameters<D1Database["withSession"]>) => observe(target.withSession(...args));
        return forward(target, prop);
      },
    });
  return observe(real);
}
