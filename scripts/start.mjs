// `npm start`: the local set-up (quiet), then wrangler dev on 127.0.0.1:8787. wrangler's start-up output
// (its banner, the bindings table, the build) is kept back unless it fails; once the Worker answers,
// one short banner says where it is, how to sign in and which demo tools there are. Request logs and
// the Worker's own logs then pass through. VERBOSE=1 shows everything.
import { execFileSync, spawn } from "node:child_process";

const PORT = 8787;
const URL_BASE = `http://127.0.0.1:${PORT}`;
const verbose = process.env.VERBOSE === "1";

execFileSync(process.execPath, ["scripts/dev-setup.mjs"], { stdio: "inherit" });

// Through its bin, so the process reads `wrangler dev --ip 127.0.0.1 --port 8787` as before (the smoke
// test's clean-up, and anyone's `pkill -f`, find it by that).
const child = spawn("node_modules/.bin/wrangler", ["dev", "--ip", "127.0.0.1", "--port", String(PORT)], {
  stdio: ["inherit", "pipe", "pipe"],
  env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false" },
});
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, () => child.kill(signal));

/** "starting" until wrangler says it is ready, "warming" while this script's own requests run, then "ready". */
let phase = "starting";
const held = [];
function relay(stream, out) {
  let partial = "";
  stream.on("data", (chunk) => {
    if (phase === "ready" || verbose) return out.write(chunk);
    const lines = (partial + chunk).split("\n");
    partial = lines.pop() ?? "";
    held.push(...lines);
    if (phase === "starting" && lines.some((line) => line.includes("Ready on"))) void announce();
  });
}
relay(child.stdout, process.stdout);
relay(child.stderr, process.stderr);
child.on("exit", (code, signal) => {
  if (phase !== "ready" && !verbose)
    process.stderr.write(`${held.join("\n")}\nwrangler dev stopped before it was ready.\n`);
  process.exit(code ?? (signal ? 1 : 0));
});

/** The shared (seeded) tools, read the way the page reads them (with the local dev token). */
async function demoTools() {
  try {
    const { token } = await (await fetch(`${URL_BASE}/dev/token?user=demo-user`)).json();
    // The seeded demo tools are shared; the user's own ones from earlier sessions are not the point here.
    const { tools } = await (
      await fetch(`${URL_BASE}/api/tools?scope=shared&limit=5`, { headers: { Authorization: `Bearer ${token}` } })
    ).json();
    return tools.map((tool) => `${tool.name}${tool.description ? `: ${tool.description}` : ""}`);
  } catch {
    return [];
  }
}

async function announce() {
  phase = "warming";
  // The first request pays the Worker's start-up; pay it here, so the reader's first one is quick.
  for (let i = 0; i < 50; i++) {
    const ok = await fetch(`${URL_BASE}/health`).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const tools = await demoTools();
  const lines = [
    "",
    `Assistant Architect Stream is running at ${URL_BASE}`,
    '  Sign in   open that page and press "Use a local dev token" (you are demo-user)',
    '  For curl  TOKEN=$(npm run --silent token -- demo-user)   (README: "Try it")',
    ...tools.map((tool, i) => `  ${i === 0 ? "Demo tool" : "         "} ${tool}`),
    "  Stop      Ctrl+C   (all of wrangler's output: VERBOSE=1 npm start)",
    "",
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
  phase = "ready";
}
