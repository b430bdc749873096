// The benchmark leaves nothing running however it ends (bench/reaper.ts), and says what to install
// when redis-server is missing instead of dying on an unhandled `spawn redis-server ENOENT`.
import { type ChildProcess, spawn } from "node:child_process";
import { dirname } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { checkPeersPrerequisites } from "./peers/processes.ts";
import { alive, descendants } from "./reaper.ts";

interface Started {
  child: ChildProcess;
  pids: { group: number; plain: number };
  output: () => string;
}

async function startFixture(how: string): Promise<Started> {
  const child = spawn(process.execPath, ["bench/reaper.fixture.ts", how], { stdio: ["pipe", "pipe", "pipe"] });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  for (let i = 0; i < 100 && !output.includes("{"); i++) await sleep(100);
  const line = output.split("\n").find((text) => text.startsWith("{"));
  if (!line) throw new Error(`the fixture did not start:\n${output}`);
  return { child, pids: JSON.parse(line) as Started["pids"], output: () => output };
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) =>
    child.exitCode !== null ? resolve(child.exitCode) : child.once("exit", (code) => resolve(code)),
  );

/** The group's processes as they were while the fixture ran (its shell and both sleeps). */
const groupMembers = (started: Started) => [
  started.pids.group,
  ...descendants(started.pids.group).map((proc) => proc.pid),
];

describe("the reaper", () => {
  for (const how of ["crash", "reject"]) {
    it(`ends a detached group and a plain child when the process dies on an unhandled ${how === "crash" ? "spawn error" : "rejection"}`, async () => {
      const started = await startFixture(how);
      const members = groupMembers(started);
      expect(members.length).toBeGreaterThanOrEqual(3);
      started.child.stdin?.write("go\n");
      expect(await exited(started.child)).toBe(1);
      for (const pid of [...members, started.pids.plain]) expect(alive(pid), `pid ${pid}`).toBe(false);
    });
  }

  it("ends them on Ctrl-C (SIGINT), exiting 130", async () => {
    const started = await startFixture("wait");
    const members = groupMembers(started);
    expect(members.length).toBeGreaterThanOrEqual(3);
    started.child.kill("SIGINT");
    expect(await exited(started.child)).toBe(130);
    for (const pid of [...members, started.pids.plain]) expect(alive(pid), `pid ${pid}`).toBe(false);
  });
});

describe("the peers run without redis-server", () => {
  it("says what to install", () => {
    expect(() => checkPeersPrerequisites("/nonexistent")).toThrow(
      "redis-server not found: apt-get install redis-server (or run without --peers)",
    );
  });

  it("stops before starting anything, with that message", async () => {
    // PATH with node alone: no redis-server, and no wrangler either, so nothing could start.
    const child = spawn(process.execPath, ["bench/run.ts", "--peers", "--quick"], {
      env: { ...process.env, PATH: dirname(process.execPath) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    expect(await exited(child)).toBe(1);
    expect(output).toContain("redis-server not found: apt-get install redis-server (or run without --peers)");
    expect(output).not.toContain("ENOENT");
  });
});
