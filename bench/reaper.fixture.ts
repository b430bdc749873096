// A benchmark-like process for bench/reaper.test.ts: installs the reaper, starts a detached process
// group (as `wrangler dev` runs, with a child of its own) and a plain child, prints their pids, and
// once told to (a line on stdin) ends the way its first argument says: "crash" (a spawn ENOENT nobody handles, today's fault with
// redis-server missing), "reject" (an unhandled rejection), or "wait" (until a signal).
import { spawn } from "node:child_process";
import { reapOnExit } from "./reaper.ts";

reapOnExit();
const group = spawn("sh", ["-c", "sleep 60 & sleep 60 & wait"], { detached: true, stdio: "ignore" });
const plain = spawn("sleep", ["60"], { stdio: "ignore" });
setTimeout(() => console.log(JSON.stringify({ group: group.pid, plain: plain.pid })), 300);
process.stdin.once("data", () => {
  const how = process.argv[2];
  if (how === "crash") spawn("bench-no-such-command", []);
  else if (how === "reject") void Promise.reject(new Error("unhandled"));
});
