import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client";
import { tools } from "../../src/db/schema";
import { insertTool } from "../../src/db/tool-queries";
import { toolBodySchema } from "../../src/schemas/tool";
import { apiJson, type ErrorJson } from "../helpers/api";
import { newUser } from "../helpers/auth";
import { lessonPlanner, type TestToolBody } from "../helpers/tools";

interface ToolJson {
  id: string;
  name: string;
  visibility: string;
  onPromptError: string;
  isOwner: boolean;
  inputFields: { name: string; type: string; options?: string[] }[];
  prompts: {
    id: string;
    name: string;
    position: number;
    content: string;
    temperature: number | null;
    maxTokens: number | null;
  }[];
}

async function createTool(user: string, body: TestToolBody = lessonPlanner()): Promise<ToolJson> {
  const { status, body: tool } = await apiJson<ToolJson>("/api/tools", { user, body });
  expect(status).toBe(201);
  return tool;
}

describe("tools API", () => {
  it("creates a tool and reads it back in the shape it was written", async () => {
    const user = newUser();
    const created = await createTool(user);
    expect(created).toMatchObject({
      name: "Lesson planner",
      visibility: "private",
      onPromptError: "stop",
      isOwner: true,
    });
    expect(created.prompts.map((prompt) => [prompt.name, prompt.position])).toEqual([
      ["outline", 0],
      ["lesson", 1],
    ]);
    expect(created.prompts[1]).toMatchObject({ temperature: 0.7, maxTokens: 2000 });
    const { status, body } = await apiJson<ToolJson>(`/api/tools/${created.id}`, { user });
    expect(status).toBe(200);
    expect(body).toEqual(created);
  });

  it("lists the caller's tools and shared ones, filtered by scope", async () => {
    const alice = newUser("alice");
    const bob = newUser("bob");
    const mine = await createTool(alice);
    const shared = await createTool(bob, lessonPlanner("m", { name: "Shared planner", visibility: "shared" }));
    const hidden = await createTool(bob, lessonPlanner("m", { name: "Bob's private" }));
    const ids = async (scope: string) =>
      (await apiJson<{ tools: { id: string }[] }>(`/api/tools?scope=${scope}`, { user: alice })).body.tools.map(
        (tool) => tool.id,
      );
    const all = await ids("all");
    expect(all).toContain(mine.id);
    expect(all).toContain(shared.id);
    expect(all).not.toContain(hidden.id);
    expect(await ids("mine")).toEqual([mine.id]);
    expect(await ids("shared")).toContain(shared.id);
    expect(await ids("shared")).not.toContain(mine.id);
  });

  it("rejects a bad scope or limit with 400", async () => {
    expect((await apiJson("/api/tools?scope=everyone", { user: newUser() })).status).toBe(400);
    expect((await apiJson("/api/tools?limit=0", { user: newUser() })).status).toBe(400);
  });

  it("replaces a tool with PUT, keeping prompt ids where names stay", async () => {
    const user = newUser();
    const created = await createTool(user);
    const next = lessonPlanner("m", {
      name: "Planner v2",
      onPromptError: "continue",
      prompts: [
        { name: "outline", position: 0, model: "m", content: "Outline {{topic}}" },
        { name: "summary", position: 1, model: "m", content: "Summarise {{outline}}" },
      ],
    });
    const { status, body } = await apiJson<ToolJson>(`/api/tools/${created.id}`, { user, method: "PUT", body: next });
    expect(status).toBe(200);
    expect(body).toMatchObject({ name: "Planner v2", onPromptError: "continue" });
    expect(body.prompts.map((prompt) => prompt.name)).toEqual(["outline", "summary"]);
    expect(body.prompts[0]?.id).toBe(created.prompts[0]?.id);
    expect(body.prompts[1]?.id).not.toBe(created.prompts[1]?.id);
  });

  it("deletes a tool, after which it is 404", async () => {
    const user = newUser();
    const created = await createTool(user);
    expect((await apiJson(`/api/tools/${created.id}`, { user, method: "DELETE" })).status).toBe(204);
    expect((await apiJson(`/api/tools/${created.id}`, { user })).status).toBe(404);
    expect((await apiJson(`/api/tools/${created.id}`, { user, method: "DELETE" })).status).toBe(404);
  });

  it("decodes nothing on save: prompt content is stored as written and decoded at use", async () => {
    const user = newUser();
    const body = lessonPlanner("m", {
      prompts: [{ name: "a", position: 0, model: "m", content: "&lt;b&gt;&#36;{topic}" }],
    });
    const created = await createTool(user, body);
    expect(created.prompts[0]?.content).toBe("&lt;b&gt;&#36;{topic}");
  });
});

describe("tools API validation", () => {
  it("answers an unknown placeholder with 400 naming placeholder and prompt", async () => {
    const body = lessonPlanner("m", {
      prompts: [{ name: "outline", position: 0, model: "m", content: "About {{subject}}" }],
    });
    const { status, body: error } = await apiJson<ErrorJson>("/api/tools", { user: newUser(), body });
    expect(status).toBe(400);
    expect(error.error.code).toBe("validation_failed");
    expect(error.error.message).toContain('prompt "outline" uses {{subject}}');
    expect(error.error.details?.fields?.[0]?.path).toBe("prompts.0.content");
  });

  it("answers a forward reference with 400", async () => {
    const body = lessonPlanner("m", {
      prompts: [
        { name: "outline", position: 0, model: "m", content: "{{lesson}}" },
        { name: "lesson", position: 1, model: "m", content: "{{topic}}" },
      ],
    });
    const { status, body: error } = await apiJson<ErrorJson>("/api/tools", { user: newUser(), body });
    expect(status).toBe(400);
    expect(error.error.message).toContain('prompt "outline" uses {{lesson}}, which is not an earlier prompt');
  });

  it("says which limit was hit for too many prompts", async () => {
    const prompts = Array.from({ length: 21 }, (_, i) => ({ name: `p${i}`, position: i, model: "m", content: "x" }));
    const { status, body } = await apiJson<ErrorJson>("/api/tools", {
      user: newUser(),
      body: lessonPlanner("m", { prompts }),
    });
    expect(status).toBe(400);
    expect(body.error.message).toContain("at most 20 prompts");
  });

  it("validates PUT bodies the same way", async () => {
    const user = newUser();
    const created = await createTool(user);
    const bad = lessonPlanner("m", { prompts: [{ name: "x", position: 0, model: "m", content: "{{nothing}}" }] });
    const { status } = await apiJson(`/api/tools/${created.id}`, { user, method: "PUT", body: bad });
    expect(status).toBe(400);
    const { body } = await apiJson<ToolJson>(`/api/tools/${created.id}`, { user });
    expect(body.prompts.map((prompt) => prompt.name)).toEqual(["outline", "lesson"]);
  });
});

describe("tool ownership", () => {
  it("hides another user's private tool as 404 on read, replace and delete", async () => {
    const owner = newUser("owner");
    const other = newUser("other");
    const tool = await createTool(owner);
    const responses = await Promise.all([
      apiJson<ErrorJson>(`/api/tools/${tool.id}`, { user: other }),
      apiJson<ErrorJson>(`/api/tools/${tool.id}`, { user: other, method: "PUT", body: lessonPlanner() }),
      apiJson<ErrorJson>(`/api/tools/${tool.id}`, { user: other, method: "DELETE" }),
    ]);
    const missing = await apiJson<ErrorJson>(`/api/tools/${crypto.randomUUID()}`, { user: other });
    for (const response of responses) {
      expect(response.status).toBe(404);
      expect(response.body).toEqual(missing.body);
    }
    expect((await apiJson(`/api/tools/${tool.id}`, { user: owner })).status).toBe(200);
  });

  it("lets anyone read a shared tool but only its owner change it", async () => {
    const owner = newUser("owner");
    const other = newUser("other");
    const tool = await createTool(owner, lessonPlanner("m", { visibility: "shared" }));
    const read = await apiJson<ToolJson>(`/api/tools/${tool.id}`, { user: other });
    expect(read.status).toBe(200);
    expect(read.body.isOwner).toBe(false);
    expect((await apiJson(`/api/tools/${tool.id}`, { user: other, method: "PUT", body: lessonPlanner() })).status).toBe(
      404,
    );
    expect((await apiJson(`/api/tools/${tool.id}`, { user: other, method: "DELETE" })).status).toBe(404);
  });
});

describe("atomic writes", () => {
  it("writes nothing when any statement of a create batch fails", async () => {
    const db = createDb(env.DB);
    const owner = newUser();
    // Two fields with one name pass zod but violate the unique index inside the batch.
    const body = toolBodySchema.parse(
      lessonPlanner("m", {
        inputFields: [
          { name: "topic", label: "Topic", type: "text" },
          { name: "topic", label: "Again", type: "text" },
        ],
        prompts: [{ name: "p", position: 0, model: "m", content: "{{topic}}" }],
      }),
    );
    await expect(insertTool(db, owner, body)).rejects.toThrow();
    expect(await db.select().from(tools).where(eq(tools.ownerId, owner))).toEqual([]);
  });
});
