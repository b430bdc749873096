// Leaves no process behind: when the benchmark ends in any way (done, an error, an unhandled one, Ctrl-C,
// SIGTERM), every process it started is ended with its whole process group. `wrangler dev` runs in a
// group of its own (detached) with its workerd processes, so ending the Node process alone left them.
import { readdirSync, readFileSync } from "node:fs";

interface Proc {
  pid: number;
  ppid: number;
  pgid: number;
}

/** Every process now running, from /proc (Linux). */
function processes(): Proc[] {
  const out: Proc[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // After "(comm)": state ppid pgrp …
      const [, ppid, pgid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      out.push({ pid: Number(entry), ppid: Number(ppid), pgid: Number(pgid) });
    } catch {
      // It ended while we looked.
    }
  }
  return out;
}

/** The processes descended from `root` (not itself). */
export function descendants(root: number, all = processes()): Proc[] {
  const found: Proc[] = [];
  const parents = new Set([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const proc of all) {
      if (parents.has(proc.ppid) && !parents.has(proc.pid)) {
        parents.add(proc.pid);
        found.push(proc);
        grew = true;
      }
    }
  }
  return found;
}

/** Running: there, and not a zombie (an ended child its parent has not collected yet). */
export const alive = (pid: number) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
};

/** Sleeps without the event loop (exit handlers cannot await). */
const block = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * Ends every process descended from `root`: each process group of its own that they lead or belong to
 * (wrangler and its workerd), and the rest one by one. SIGTERM first, SIGKILL to whatever is left after
 * `graceMs`. Synchronous, so it can run in an exit handler. Returns the pids it signalled.
 */
export function reapDescendants(root = process.pid, graceMs = 3_000): number[] {
  const ownGroup = Number(readFileSync(`/proc/${root}/stat`, "utf8").split(") ")[1]?.split(" ")[2]);
  const found = descendants(root);
  const groups = new Set(found.map((proc) => proc.pgid).filter((pgid) => pgid !== ownGroup));
  const loose = found.filter((proc) => proc.pgid === ownGroup).map((proc) => proc.pid);
  const signal = (sig: NodeJS.Signals) => {
    for (const pgid of groups) {
      try {
        process.kill(-pgid, sig);
      } catch {
        // Already gone.
      }
    }
    for (const pid of loose) {
      try {
        process.kill(pid, sig);
      } catch {
        // Already gone.
      }
    }
  };
  signal("SIGTERM");
  const pids = found.map((proc) => proc.pid);
  const deadline = Date.now() + graceMs;
  while (pids.some(alive) && Date.now() < deadline) block(50);
  if (pids.some(alive)) signal("SIGKILL");
  return pids;
}

let installed = false;
const cleanups = new Set<() => void>();

/** Runs `cleanup` (synchronous: files to remove) when the process exits, unless the returned function is called first. */
export function cleanupOnExit(cleanup: () => void): () => void {
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

/**
 * Makes the process end everything it started whenever it ends: on exit, on SIGINT/SIGTERM/SIGHUP
 * (then exits 130/143/129), and on an uncaught exception or unhandled rejection (reported, exit 1).
 */
export function reapOnExit(): void {
  if (installed) return;
  installed = true;
  process.on("exit", () => {
    reapDescendants();
    for (const cleanup of cleanups) {
      try {
        cleanup();
      } catch {
        // Best effort: the process is ending.
      }
    }
  });
  const codes: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };
  for (const [sig, code] of Object.entries(codes)) {
    process.once(sig as NodeJS.Signals, () => {
      console.error(`\n${sig}: stopping the processes the benchmark started`);
      process.exit(code);
    });
  }
  const fatal = (error: unknown) => {
    console.error(error);
    process.exit(1);
  };
  process.on("uncaughtException", fatal);
  process.on("unhandledRejection", fatal);
}
