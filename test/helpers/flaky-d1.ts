// A D1 binding that fails the statements a test chooses, to prove that a database outage loses no record,
// and can list what ran. Everything else passes straight through to the real local D1.
import { observeD1 } from "./observed-d1";

export interface D1Outage {
  /** Statements whose SQL matches fail with a D1-style error while this is set. */
  failWhen: RegExp | null;
  failures: number;
  /** Every statement run through the binding, when a test wants to see them. */
  seen?: string[];
}

export function flakyD1(real: D1Database, outage: D1Outage): D1Database {
  return observeD1(real, (sql) => {
    outage.seen?.push(sql);
    if (outage.failWhen?.test(sql)) {
      outage.failures++;
      throw new Error("D1_ERROR: Network connection lost (simulated outage)");
    }
  });
}
