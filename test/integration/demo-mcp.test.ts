// The offline demo MCP servers served by the Worker (DEMO_MCP_SERVERS): off by default; when on, the SDK's
// client lists and calls them, and the demo model, the function names, the argument check and the
// toolbox together make one agent turn and its answer with no network.
import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { parseArguments } from "../../src/mcp/arguments";
import { findStandard } from "../../src/mcp/demo-servers";
import { functionNames } from "../../src/mcp/function-names";
import { Toolbox } from "../../src/mcp/toolbox";
import { createDemoModel } from "../../src/models/demo-model";
import type { ChatMessage, ModelChunk, ToolCall } from "../../src/models/types";
import { api } from "../helpers/api";

const app = createApp();
const demoEnv = { ...env, DEMO_MCP_SERVERS: "true" };
/** The Worker with the demo servers on, reached in process. */
const viaWorker = async (url: string | URL, init?: RequestInit) =>
  app.fetch(new Request(url, init), demoEnv, createExecutionContext());

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
    { fetch: viaWorker },
  );

describe("the demo MCP servers", () => {
  it("are not served unless DEMO_MCP_SERVERS is true", async () => {
    const response = await api("/demo/mcp/lesson", { body: { jsonrpc: "2.0", id: 1, method: "tools/list" } });
    expect(response.status).toBe(404);
  });

  it("answer GET with 405 (no event stream) and an unknown server with 404", async () => {
    expect((await viaWorker("http://localhost/demo/mcp/lesson")).status).toBe(405);
    expect((await viaWorker("http://localhost/demo/mcp/nope", { method: "POST", body: "{}" })).status).toBe(404);
  });

  it("list a read-only lookup and an announcement that needs approval", async () => {
    const toolbox = demoToolbox();
    const [lesson, classroom] = await Promise.all([toolbox.listTools("lesson"), toolbox.listTools("classroom")]);
    await toolbox.close();
    expect(lesson.ok && lesson.tools.map(({ name, needsApproval }) => ({ name, needsApproval }))).toEqual([
      { name: "find_standard", needsApproval: false },
    ]);
    expect(classroom.ok && classroom.tools.map(({ name, needsApproval }) => ({ name, needsApproval }))).toEqual([
      { name: "post_announcement", needsApproval: true },
    ]);
  });

  it("look a standard up by topic and grade, and 'post' an announcement that sends nothing", async () => {
    const toolbox = demoToolbox();
    const signal = new AbortController().signal;
    const standard = await toolbox.callTool("lesson", "find_standard", { topic: "Fractions", grade: "3" }, signal);
    const posted = await toolbox.callTool("classroom", "post_announcement", { message: "Quiz Friday" }, signal);
    await toolbox.close();
    expect(standard).toEqual({ isError: false, output: findStandard("fractions", "3") });
    expect(standard.output).toMatch(/^DEMO\.MATH\.3\.NF\.1 \(grade 3\): /);
    expect(posted.output).toBe("Announcement posted to the demo class (demo: nothing was sent). It reads: Quiz Friday");
    expect(findStandard("medieval castles")).toMatch(/^No standard in the demo table matches "medieval castles"/);
  });

  it("with the demo model, make one agent turn and its answer offline", async () => {
    const toolbox = demoToolbox();
    const listed = (await Promise.all(["lesson", "classroom"].map((server) => toolbox.listTools(server)))).flatMap(
      (outcome) => (outcome.ok ? outcome.tools : []),
    );
    const names = await functionNames(listed.map((tool) => ({ kind: "mcp", server: tool.server, tool: tool.name })));
    const tools = listed.map((tool) => ({
      name: names.byFullName.get(`${tool.server}.${tool.name}`) ?? "",
      description: tool.description,
      parameters: tool.inputSchema,
    }));
    const model = createDemoModel(0);
    const prompt = "Plan a lesson on fractions for grade 3";
    const turn = async (messages: ChatMessage[]) => {
      const chunks: ModelChunk[] = [];
      const request = {
        model: "demo",
        systemContext: null,
        prompt,
        temperature: null,
        maxTokens: null,
        tools,
        messages,
      };
      for await (const chunk of model.stream(request, new AbortController().signal)) chunks.push(chunk);
      return chunks;
    };
    const messages: ChatMessage[] = [{ role: "user", content: prompt }];
    const first = await turn(messages);
    const calls = first.flatMap((chunk) => (chunk.type === "tool_calls" ? chunk.calls : [])) as ToolCall[];
    expect(calls.map((call) => call.name)).toEqual(["lesson__find_standard", "classroom__post_announcement"]);
    messages.push({ role: "assistant", content: null, toolCalls: calls });
    for (const call of calls) {
      const ref = names.byFunction.get(call.name);
      const tool = listed.find((candidate) => ref?.kind === "mcp" && candidate.name === ref.tool);
      const args = parseArguments(call.arguments, tool?.inputSchema, call.name);
      if (!args.ok || ref?.kind !== "mcp") throw new Error(`bad call ${call.name}`);
      const outcome = await toolbox.callTool(ref.server, ref.tool, args.value, new AbortController().signal);
      messages.push({ role: "tool", toolCallId: call.id, content: outcome.output });
    }
    await toolbox.close();
    const answer = (await turn(messages)).flatMap((chunk) => (chunk.type === "delta" ? [chunk.text] : [])).join("");
    expect(answer).toContain("- lesson__find_standard: DEMO.MATH.3.NF.1 (grade 3)");
    expect(answer).toContain("- classroom__post_announcement: Announcement posted to Plan a lesson on fractions");
  });
});
