// The offline demo's agent step as `npm start` seeds it (scripts/seed.sql): it reads back as an agent step
// on the `demo` model with lesson.find_standard and classroom.post_announcement, and its prompt, rendered,
// makes the demo model call both (arguments their schemas accept, the grade's standard found), so the
// local page shows a read-only call and one that waits for approval.
import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import seed from "../../scripts/seed.sql";
import { createApp } from "../../src/app";
import { compileTemplate, renderTemplate } from "../../src/lib/templates";
import { parseArguments } from "../../src/mcp/arguments";
import { functionNames } from "../../src/mcp/function-names";
import { type ListedTool, Toolbox } from "../../src/mcp/toolbox";
import { createDemoModel } from "../../src/models/demo-model";
import type { ChatMessage, ModelChunk, ToolCall, ToolDefinition } from "../../src/models/types";
import { apiJson } from "../helpers/api";
import { newUser } from "../helpers/auth";

const DEMO_AGENT_TOOL = "00000000-0000-4000-8000-000000000002";

interface SeededTool {
  name: string;
  visibility: string;
  prompts: { name: string; model: string; content: string; tools?: string[]; maxSteps?: number }[];
}

const app = createApp();
const demoEnv = { ...env, DEMO_MCP_SERVERS: "true" };

/** The Worker's demo servers, reached in process (as `npm start` reaches them over loopback). */
const demoToolbox = () =>
  new Toolbox(
    {
      servers: new Map(
        ["lesson", "classroom"].map((name) => [
          name,
          { name, url: `http://localhost/demo/mcp/${name}`, approval: "unless_read_only" as const, headers: {} },
        ]),
      ),
      callTimeoutMs: 5_000,
      resultMaxBytes: 100_000,
    },
    { fetch: async (url, init) => app.fetch(new Request(url, init), demoEnv, createExecutionContext()) },
  );

/** One turn of the demo model with `tools` over `messages`. */
async function demoTurn(prompt: string, tools: ToolDefinition[], messages: ChatMessage[]): Promise<ModelChunk[]> {
  const chunks: ModelChunk[] = [];
  const request = { model: "demo", systemContext: null, prompt, temperature: null, maxTokens: null, tools, messages };
  for await (const chunk of createDemoModel(0).stream(request, new AbortController().signal)) chunks.push(chunk);
  return chunks;
}

let seeded: SeededTool;

beforeAll(async () => {
  // The seed as `npm start` runs it, one statement at a time (its strings hold no semicolons).
  const statements = seed
    .split("\n")
    .filter((line) => !line.trimStart().startsWith("--"))
    .join("\n")
    .split(/;\s*$/m)
    .map((statement) => statement.trim())
    .filter(Boolean);
  await env.DB.batch(statements.map((statement) => env.DB.prepare(statement)));
  const read = await apiJson<SeededTool>(`/api/tools/${DEMO_AGENT_TOOL}`, { user: newUser() });
  expect(read.status).toBe(200);
  seeded = read.body;
});

describe("the seeded demo agent step", () => {
  it("is a shared tool whose one step is an agent step on the demo model with both demo tools", () => {
    expect(seeded).toMatchObject({ name: "Demo lesson announcer", visibility: "shared" });
    expect(seeded.prompts).toEqual([
      expect.objectContaining({
        model: "demo",
        tools: ["lesson.find_standard", "classroom.post_announcement"],
        maxSteps: 4,
      }),
    ]);
  });

  it("makes the demo model call both tools with arguments they accept, and finds the grade's standard", async () => {
    const [step] = seeded.prompts;
    if (!step?.tools) throw new Error("the seeded step has tools");
    const prompt = renderTemplate(
      compileTemplate(step.content),
      new Map([
        ["topic", "volcanoes"],
        ["grade", "4"],
      ]),
    );
    const toolbox = demoToolbox();
    try {
      const listed: ListedTool[] = [];
      for (const reference of step.tools) {
        const [server = "", name] = reference.split(".");
        const outcome = await toolbox.listTools(server);
        if (!outcome.ok) throw new Error(outcome.error.message);
        listed.push(...outcome.tools.filter((tool) => tool.name === name));
      }
      expect(listed.map((tool) => [tool.name, tool.needsApproval])).toEqual([
        ["find_standard", false],
        ["post_announcement", true],
      ]);
      const names = await functionNames(listed.map((tool) => ({ kind: "mcp", server: tool.server, tool: tool.name })));
      const tools = listed.map((tool) => ({
        name: names.byFullName.get(`${tool.server}.${tool.name}`) ?? "",
        description: tool.description,
        parameters: tool.inputSchema,
      }));
      const first = await demoTurn(prompt, tools, [{ role: "user", content: prompt }]);
      const calls = first.flatMap((chunk) => (chunk.type === "tool_calls" ? chunk.calls : [])) as ToolCall[];
      expect(calls.map((call) => call.name)).toEqual(["lesson__find_standard", "classroom__post_announcement"]);
      const outputs: string[] = [];
      for (const [i, call] of calls.entries()) {
        const tool = listed[i];
        const args = parseArguments(call.arguments, tool?.inputSchema, call.name);
        expect(args.ok, JSON.stringify(args)).toBe(true);
        if (!args.ok || !tool) continue;
        const outcome = await toolbox.callTool(tool.server, tool.name, args.value, new AbortController().signal);
        expect(outcome.isError).toBe(false);
        outputs.push(outcome.output);
      }
      expect(outputs[0]).toMatch(/^DEMO\.SCI\.4\.ES\.2 \(grade 4\): /);
      expect(outputs[1]).toContain("Announcement posted to");
    } finally {
      await toolbox.close();
    }
  });
});
