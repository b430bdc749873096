// An agent step's definition (SPEC §12): checked at save (servers configured, tools listed by servers
// that answer, assistants readable and not agents themselves, no repeats; a server that cannot be
// reached does not block), read back only on agent steps, carried into the plan, the record (live and
// in D1) and a rerun. The run-time loop is not exercised here: the steps run on an echoing model.
import { createExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { createClient } from "../../src/client";
import { createDb } from "../../src/db/client";
import { findPromptResults } from "../../src/db/execution-queries";
import { apiJson, type ErrorJson } from "../helpers/api";
import { newUser, tokenFor } from "../helpers/auth";
import { type CreatedExecution, createToolFor, followEvents } from "../helpers/executions";
import { lessonPlanner, type TestToolBody } from "../helpers/tools";
import { waitFor } from "../helpers/upstream";
import { MCP_PATHS } from "../upstream/mcp-names";

interface PromptJson {
  id: string;
  name: string;
  tools?: string[];
  maxSteps?: number;
}

interface ToolJson {
  id: string;
  prompts: PromptJson[];
}

interface RecordJson {
  status: string;
  results: (PromptJson & { promptId: string; status: string })[];
}

/** The docs' planner with its second prompt an agent step (`tools`, and `maxSteps` when given). */
function agentTool(tools: string[], maxSteps?: number, overrides: Partial<TestToolBody> = {}): TestToolBody {
  const body = lessonPlanner("gpt-4o-mini", overrides);
  const [outline, lesson] = body.prompts;
  if (!outline || !lesson) throw new Error("the planner has two prompts");
  return { ...body, prompts: [outline, { ...lesson, tools, ...(maxSteps === undefined ? {} : { maxSteps }) }] };
}

const save = (user: string, body: TestToolBody) => apiJson<ToolJson & ErrorJson>("/api/tools", { user, body });

/** Expects a 400 `validation_failed` whose fields are exactly `paths`, each message containing its text. */
async function expectRefused(answer: Promise<{ status: number; body: ErrorJson }>, fields: [string, string][]) {
  const { status, body } = await answer;
  expect(status, JSON.stringify(body)).toBe(400);
  expect(body.error.code).toBe("validation_failed");
  const got = body.error.details?.fields ?? [];
  expect(got.map((field) => field.path)).toEqual(fields.map(([path]) => path));
  for (const [i, [, text]] of fields.entries()) expect(got[i]?.message).toContain(text);
}

describe("saving an agent step", () => {
  it("saves tools and maxSteps and reads them back on the agent step only", async () => {
    const user = newUser();
    const helper = await createToolFor(user, lessonPlanner("gpt-4o-mini", { name: "Helper" }));
    const tools = ["tools.lookup", "tools.*", `assistant:${helper.id}`];
    const created = await save(user, agentTool(tools, 5));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const [outline, lesson] = created.body.prompts;
    expect(lesson).toMatchObject({ name: "lesson", tools, maxSteps: 5 });
    // An ordinary prompt has neither key, not even as null.
    expect(outline).not.toHaveProperty("tools");
    expect(outline).not.toHaveProperty("maxSteps");
    const read = await apiJson<ToolJson>(`/api/tools/${created.body.id}`, { user });
    expect(read.body).toEqual(created.body);
    const replaced = await apiJson<ToolJson>(`/api/tools/${created.body.id}`, {
      user,
      method: "PUT",
      body: agentTool(["tools.lookup"]),
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body.prompts[1]).toMatchObject({ tools: ["tools.lookup"], maxSteps: 10 });
    expect(replaced.body.prompts[1]?.id).toBe(lesson?.id);
  });

  it("treats an empty tools list as an ordinary prompt, and drops maxSteps without tools", async () => {
    const user = newUser();
    const body = lessonPlanner();
    const [outline, lesson] = body.prompts;
    if (!outline || !lesson) throw new Error("two prompts");
    const created = await save(user, {
      ...body,
      prompts: [
        { ...outline, tools: [] },
        { ...lesson, maxSteps: 7 },
      ],
    });
    expect(created.status).toBe(201);
    for (const prompt of created.body.prompts) {
      expect(prompt).not.toHaveProperty("tools");
      expect(prompt).not.toHaveProperty("maxSteps");
    }
  });

  it("refuses a server that is not configured (400 naming the reference)", async () => {
    await expectRefused(save(newUser(), agentTool(["tools.lookup", "nowhere.lookup", "elsewhere.*"])), [
      ["prompts.1.tools.1", 'no MCP server named "nowhere"'],
      ["prompts.1.tools.2", 'no MCP server named "elsewhere"'],
    ]);
  });

  it("refuses a tool that its server, answering, does not list", async () => {
    await expectRefused(save(newUser(), agentTool(["tools.no_such_tool"])), [
      ["prompts.1.tools.0", 'the MCP server "tools" lists no tool named "no_such_tool"'],
    ]);
  });

  it("saves a tool of a server that is down or answers 500 (it is checked when it runs)", async () => {
    const created = await save(newUser(), agentTool(["down.anything", "broken.whatever", "down.*"]));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.prompts[1]?.tools).toEqual(["down.anything", "broken.whatever", "down.*"]);
  });

  it("saves within MCP_CALL_TIMEOUT_MS when a server never answers", async () => {
    const silent = { name: "silent", url: `${env.MCP_TEST_URL}${MCP_PATHS.silent}` };
    const request = new Request("http://localhost/api/tools", {
      method: "POST",
      headers: { Authorization: `Bearer ${await tokenFor(newUser())}`, "Content-Type": "application/json" },
      body: JSON.stringify(agentTool(["silent.anything"])),
    });
    const started = Date.now();
    const response = await createApp().fetch(
      request,
      { ...env, MCP_SERVERS: JSON.stringify([silent]), MCP_CALL_TIMEOUT_MS: "500" },
      createExecutionContext(),
    );
    expect(response.status).toBe(201);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("refuses an assistant the author cannot read, and one that does not exist", async () => {
    const author = newUser("author");
    const other = newUser("other");
    const hidden = await createToolFor(other, lessonPlanner("gpt-4o-mini", { name: "Private" }));
    const shared = await createToolFor(other, lessonPlanner("gpt-4o-mini", { name: "Shared", visibility: "shared" }));
    await expectRefused(save(author, agentTool([`assistant:${hidden.id}`, "assistant:no-such-tool"])), [
      ["prompts.1.tools.0", "that you can use as an assistant"],
      ["prompts.1.tools.1", "that you can use as an assistant"],
    ]);
    // Someone else's shared tool is readable, so it may be used.
    expect((await save(author, agentTool([`assistant:${shared.id}`]))).status).toBe(201);
  });

  it("refuses an assistant that has an agent step itself: nesting stops at one level", async () => {
    const user = newUser();
    const agent = await save(user, agentTool(["tools.lookup"], 3, { name: "Agent" }));
    await expectRefused(save(user, agentTool([`assistant:${agent.body.id}`])), [
      ["prompts.1.tools.0", 'the assistant "Agent" has an agent step itself; nesting stops at one level'],
    ]);
  });

  it("refuses a tool that uses itself as an assistant", async () => {
    const user = newUser();
    const tool = await createToolFor(user, lessonPlanner());
    await expectRefused(
      apiJson<ErrorJson>(`/api/tools/${tool.id}`, { user, method: "PUT", body: agentTool([`assistant:${tool.id}`]) }),
      [["prompts.1.tools.0", "cannot use itself"]],
    );
  });

  it("refuses a reference listed twice in one step, naming the second", async () => {
    await expectRefused(save(newUser(), agentTool(["tools.lookup", "tools.*", "tools.lookup"])), [
      ["prompts.1.tools.2", "lists tools.lookup more than once"],
    ]);
  });

  it("names every problem of every step at once, in the body's order", async () => {
    const body = agentTool(["tools.missing"]);
    const [outline, lesson] = body.prompts;
    if (!outline || !lesson) throw new Error("two prompts");
    await expectRefused(save(newUser(), { ...body, prompts: [{ ...outline, tools: ["x.y", "x.y"] }, lesson] }), [
      ["prompts.0.tools.0", 'no MCP server named "x"'],
      ["prompts.0.tools.1", "more than once"],
      ["prompts.1.tools.0", 'lists no tool named "missing"'],
    ]);
  });

  it("checks a reference's shape and maxSteps' range before anything else", async () => {
    await expectRefused(save(newUser(), agentTool(["not a reference"])), [["prompts.1.tools.0", "must be"]]);
    const { status, body } = await save(newUser(), agentTool(["tools.lookup"], 51));
    expect(status).toBe(400);
    expect(body.error.details?.fields?.map((field) => field.path)).toEqual(["prompts.1.maxSteps"]);
  });

  it("checks a draft run's agent steps as a save does, paths under draft.", async () => {
    const user = newUser();
    const refused = await apiJson<ErrorJson>("/api/executions", {
      user,
      body: { draft: agentTool(["nowhere.x", "tools.nope"]), inputs: { topic: "tides" } },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toMatch(/^Invalid draft/);
    expect(refused.body.error.details?.fields?.map((field) => field.path)).toEqual([
      "draft.prompts.1.tools.0",
      "draft.prompts.1.tools.1",
    ]);
  });
});

describe("an agent step's plan and record", () => {
  it("carries tools and maxSteps into a created execution's record (not started)", async () => {
    const user = newUser();
    const tool = await save(user, agentTool(["tools.lookup", "down.*"], 4));
    const created = await apiJson<CreatedExecution>("/api/executions", {
      user,
      body: { toolId: tool.body.id, inputs: { topic: "tides" }, start: false },
    });
    expect(created.status).toBe(201);
    const record = await apiJson<RecordJson>(`/api/executions/${created.body.id}`, { user });
    expect(record.body.status).toBe("pending");
    const [outline, lesson] = record.body.results;
    expect(lesson).toMatchObject({ name: "lesson", tools: ["tools.lookup", "down.*"], maxSteps: 4 });
    expect(outline).not.toHaveProperty("tools");
    expect(outline).not.toHaveProperty("maxSteps");
    await apiJson(`/api/executions/${created.body.id}/cancel`, { user, method: "POST" });
  });

  it("keeps them in D1 once the run ended, and a rerun runs the source's tools whatever the tool says now", async () => {
    const user = newUser();
    const tool = await save(user, agentTool(["tools.lookup"], 3));
    const started = await apiJson<CreatedExecution>("/api/executions", {
      user,
      body: { toolId: tool.body.id, inputs: { topic: "tides" } },
    });
    await followEvents(user, started.body.id);
    const lessonId = tool.body.prompts[1]?.id ?? "";
    const rows = await waitFor(
      async () => {
        const results = await findPromptResults(createDb(env.DB), started.body.id);
        return results.every((row) => row.status !== "pending" && row.status !== "running") && results.length === 2
          ? results
          : undefined;
      },
      5_000,
      "the record in D1",
    );
    expect(rows.map((row) => [row.name, row.tools, row.maxSteps])).toEqual([
      ["outline", null, null],
      ["lesson", ["tools.lookup"], 3],
    ]);
    // The tool changes; the rerun runs the plan as it ran.
    await apiJson(`/api/tools/${tool.body.id}`, { user, method: "PUT", body: agentTool(["tools.*"], 9) });
    const rerun = await apiJson<CreatedExecution>(`/api/executions/${started.body.id}/rerun`, {
      user,
      body: { fromPromptId: lessonId, prompts: { [lessonId]: { content: "Again: {{outline}}" } } },
    });
    expect(rerun.status, JSON.stringify(rerun.body)).toBe(201);
    await followEvents(user, rerun.body.id);
    const record = await apiJson<RecordJson>(`/api/executions/${rerun.body.id}`, { user });
    expect(record.body.results[1]).toMatchObject({ name: "lesson", tools: ["tools.lookup"], maxSteps: 3 });
    expect(record.body.results[0]).not.toHaveProperty("tools");
  });

  it("refuses a rerun override that tries to change an agent step's tools", async () => {
    const user = newUser();
    const tool = await save(user, agentTool(["tools.lookup"]));
    const started = await apiJson<CreatedExecution>("/api/executions", {
      user,
      body: { toolId: tool.body.id, inputs: { topic: "tides" } },
    });
    await followEvents(user, started.body.id);
    const lessonId = tool.body.prompts[1]?.id ?? "";
    for (const change of [{ tools: ["tools.*"] }, { maxSteps: 2 }]) {
      const refused = await apiJson<ErrorJson>(`/api/executions/${started.body.id}/rerun`, {
        user,
        body: { prompts: { [lessonId]: change } },
      });
      expect(refused.status).toBe(400);
      expect(refused.body.error.code).toBe("validation_failed");
    }
  });

  it("carries them through a draft run (toolId null)", async () => {
    const user = newUser();
    const created = await apiJson<CreatedExecution>("/api/executions", {
      user,
      body: { draft: agentTool(["tools.lookup"]), inputs: { topic: "tides" } },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    await followEvents(user, created.body.id);
    const record = await apiJson<RecordJson & { toolId: string | null }>(`/api/executions/${created.body.id}`, {
      user,
    });
    expect(record.body.toolId).toBeNull();
    expect(record.body.results[1]).toMatchObject({ tools: ["tools.lookup"], maxSteps: 10 });
  });
});

describe("the typed client", () => {
  it("lists the MCP tools with mcp.tools() and saves an agent step picked from them", async () => {
    const user = newUser();
    const client = createClient({
      baseUrl: "http://localhost",
      token: await tokenFor(user),
      fetch: (input, init) => exports.default.fetch(new Request(input, init)),
    });
    const listed = await client.mcp.tools();
    const lookup = listed.tools.find((tool) => tool.name === "tools.lookup");
    expect(lookup).toMatchObject({ needsApproval: false, inputSchema: { type: "object" } });
    expect(listed.errors.map((error) => error.server)).toEqual(["down", "broken"]);
    const saved = await client.tools.create(agentTool([lookup?.name ?? ""], 2));
    expect(saved.prompts[1]).toMatchObject({ tools: ["tools.lookup"], maxSteps: 2 });
    expect(saved.prompts[0]?.tools).toBeUndefined();
  });
});
