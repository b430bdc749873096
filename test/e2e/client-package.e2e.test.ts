// The typed client as another project uses it: `import … from "assistant-architect-stream/client"`
// resolves to the built package entry (types and ESM), type-checks under both of TypeScript's module
// resolutions a project is likely to use, and runs a tool against the real Worker from plain Node.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { baseUrl, createTool, newUser, signToken } from "./helpers";

const CONSUMER_TS = `import { createClient, type ExecutionState, type ExecutionSummary, foldEvent } from "assistant-architect-stream/client";
const client = createClient({ baseUrl: "https://stream.example.edu", token: () => "token" });
export async function follow(toolId: string): Promise<ExecutionState | null> {
  const { id } = await client.executions.create({ toolId, inputs: { topic: "fractions" } });
  let state: ExecutionState | null = null;
  for await (const event of client.executions.stream(id)) state = foldEvent(state, event);
  return state;
}
export const previews = (items: ExecutionSummary[]): (string | null)[] => items.map((item) => item.outputPreview);
// @ts-expect-error toolId and draft never go together
void client.executions.create({ toolId: "x", draft: { name: "n", prompts: [] }, inputs: {} });
`;

const CONSUMER_MJS = `import { createClient, foldEvent } from "assistant-architect-stream/client";
const client = createClient({ baseUrl: process.env.BASE_URL, token: process.env.TOKEN });
const { id } = await client.executions.create({ toolId: process.env.TOOL_ID, inputs: { topic: "fractions" } });
let state = null;
for await (const event of client.executions.stream(id)) state = foldEvent(state, event);
console.log(JSON.stringify({ status: state.status, prompts: state.prompts.length }));
`;

let project: string;
const run = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, args, { cwd: project, encoding: "utf8", env: { ...process.env, ...env } });

beforeAll(() => {
  // The entry `npm install` builds (prepare); built again here so the test reads this tree's client.
  const built = spawnSync(process.execPath, ["scripts/build-client.mjs"], { encoding: "utf8" });
  expect(built.status, built.stderr).toBe(0);
  project = mkdtempSync(join(tmpdir(), "client-consumer-"));
  mkdirSync(join(project, "node_modules"));
  symlinkSync(process.cwd(), join(project, "node_modules", "assistant-architect-stream"), "dir");
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "consumer", type: "module", private: true }));
  writeFileSync(join(project, "consumer.ts"), CONSUMER_TS);
  writeFileSync(join(project, "consumer.mjs"), CONSUMER_MJS);
});

describe("assistant-architect-stream/client from another project", () => {
  it.each([
    ["nodenext", "nodenext"],
    ["bundler", "es2022"],
  ])("type-checks with moduleResolution %s", (moduleResolution, module) => {
    const options = {
      strict: true,
      module,
      moduleResolution,
      target: "es2022",
      noEmit: true,
      skipLibCheck: true,
      lib: ["es2022", "dom"],
      types: [],
    };
    writeFileSync(join(project, "tsconfig.json"), JSON.stringify({ compilerOptions: options, files: ["consumer.ts"] }));
    const checked = run([join(process.cwd(), "node_modules/typescript/bin/tsc"), "-p", "."]);
    expect(checked.stdout + checked.stderr).toBe("");
    expect(checked.status).toBe(0);
  });

  it("is served as /client.js, importable by a page on another origin (CORS)", async () => {
    const response = await fetch(`${baseUrl()}/client.js`, { headers: { Origin: "https://school.example.org" } });
    expect(response.status).toBe(200);
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    expect(response.headers.get("content-type")).toMatch(/javascript/);
    expect(await response.text()).toContain("createClient");
  });

  it("runs a tool to its end from plain Node", async () => {
    const user = newUser();
    const tool = await createTool(user, "demo");
    const ran = run(["consumer.mjs"], { BASE_URL: baseUrl(), TOKEN: signToken(user), TOOL_ID: tool.id });
    expect(ran.stderr).toBe("");
    expect(JSON.parse(ran.stdout)).toEqual({ status: "completed", prompts: tool.prompts.length });
  });
});
