import { describe, expect, it } from "vitest";
import { AppError } from "../../src/lib/errors";
import { assertToolIsConsistent, inRunOrder, toolBodySchema } from "../../src/schemas/tool";
import { lessonPlanner, type TestToolBody } from "../helpers/tools";

const parse = (body: unknown) => toolBodySchema.safeParse(body);

function consistencyError(body: TestToolBody): AppError {
  const parsed = toolBodySchema.parse(body);
  try {
    assertToolIsConsistent(parsed);
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error("expected the tool to be rejected");
}

describe("toolBodySchema", () => {
  it("accepts the documented example and fills defaults", () => {
    const result = parse(lessonPlanner());
    expect(result.success).toBe(true);
    expect(result.data).toMatchObject({ visibility: "private", onPromptError: "stop" });
  });

  it("maps the original app's short_text and long_text to text and textarea", () => {
    const body = lessonPlanner("m", {
      inputFields: [
        { name: "a", label: "A", type: "short_text" },
        { name: "b", label: "B", type: "long_text" },
      ],
      prompts: [{ name: "p", position: 0, model: "m", content: "{{a}} {{b}}" }],
    });
    expect(parse(body).data?.inputFields.map((field) => field.type)).toEqual(["text", "textarea"]);
  });

  it("rejects unknown fields, bad names and unknown types", () => {
    expect(parse({ ...lessonPlanner(), extra: 1 }).success).toBe(false);
    expect(parse(lessonPlanner("m", { inputFields: [{ name: "1bad", label: "x", type: "text" }] })).success).toBe(
      false,
    );
    expect(parse(lessonPlanner("m", { inputFields: [{ name: "ok", label: "x", type: "date" }] })).success).toBe(false);
  });

  it("limits a tool to 20 prompts and says so", () => {
    const prompts = Array.from({ length: 21 }, (_, i) => ({ name: `p${i}`, position: i, model: "m", content: "x" }));
    const result = parse(lessonPlanner("m", { prompts }));
    expect(result.error?.issues[0]?.message).toBe("a tool has at most 20 prompts");
  });

  it("needs at least one prompt", () => {
    expect(parse(lessonPlanner("m", { prompts: [] })).error?.issues[0]?.message).toBe(
      "a tool needs at least one prompt",
    );
  });
});

describe("assertToolIsConsistent", () => {
  it("accepts references to fields, earlier prompts by name and by result_N / prompt_N_output", () => {
    const body = lessonPlanner("m", {
      prompts: [
        { name: "outline", position: 0, model: "m", content: "{{topic}}" },
        { name: "lesson", position: 1, model: "m", content: "{{outline}} {{result_1}}" },
        { name: "quiz", position: 2, model: "m", content: "${lesson} {{prompt_2_output}}" },
      ],
    });
    expect(() => assertToolIsConsistent(toolBodySchema.parse(body))).not.toThrow();
  });

  it("names the placeholder and prompt when a placeholder matches nothing", () => {
    const error = consistencyError(
      lessonPlanner("m", { prompts: [{ name: "outline", position: 0, model: "m", content: "{{topik}}" }] }),
    );
    expect(error.code).toBe("validation_failed");
    expect(error.message).toContain('prompt "outline" uses {{topik}}');
  });

  it("rejects a reference to a prompt at the same or a later position", () => {
    const same = consistencyError(
      lessonPlanner("m", {
        prompts: [
          { name: "a", position: 0, model: "m", content: "{{topic}}" },
          { name: "b", position: 0, model: "m", content: "{{a}}" },
        ],
      }),
    );
    expect(same.message).toContain('prompt "b" uses {{a}}, which is not an earlier prompt');
    const later = consistencyError(
      lessonPlanner("m", {
        prompts: [
          { name: "a", position: 0, model: "m", content: "{{result_2}}" },
          { name: "b", position: 1, model: "m", content: "x" },
        ],
      }),
    );
    expect(later.message).toContain('prompt "a" uses {{result_2}}');
  });

  it("rejects result_N beyond the number of prompts", () => {
    const error = consistencyError(
      lessonPlanner("m", { prompts: [{ name: "a", position: 0, model: "m", content: "{{result_5}}" }] }),
    );
    expect(error.message).toContain("names no input field or prompt");
  });

  it("checks placeholders hidden behind editor encoding", () => {
    const error = consistencyError(
      lessonPlanner("m", { prompts: [{ name: "a", position: 0, model: "m", content: "&#36;{missing}" }] }),
    );
    expect(error.message).toContain("{{missing}}");
  });

  it("limits a prompt to 50 placeholders and says so", () => {
    const content = Array.from({ length: 51 }, () => "{{topic}}").join(" ");
    const error = consistencyError(lessonPlanner("m", { prompts: [{ name: "a", position: 0, model: "m", content }] }));
    expect(error.message).toContain("the limit is 50 per prompt");
  });

  it("requires names to be unique across fields and prompts", () => {
    const error = consistencyError(
      lessonPlanner("m", { prompts: [{ name: "topic", position: 0, model: "m", content: "x" }] }),
    );
    expect(error.message).toContain('name "topic" is used more than once');
  });

  it("requires options on select and multi_select fields", () => {
    const error = consistencyError(
      lessonPlanner("m", {
        inputFields: [{ name: "pick", label: "Pick", type: "multi_select" }],
        prompts: [{ name: "a", position: 0, model: "m", content: "{{pick}}" }],
      }),
    );
    expect(error.details).toEqual({
      fields: [{ path: "inputFields.0.options", message: 'field "pick" of type multi_select needs options' }],
    });
  });
});

describe("inRunOrder", () => {
  it("orders by position and keeps the given order among equals", () => {
    const order = inRunOrder([
      { name: "c", position: 2 },
      { name: "a1", position: 0 },
      { name: "b", position: 1 },
      { name: "a2", position: 0 },
    ]).map((prompt) => prompt.name);
    expect(order).toEqual(["a1", "a2", "b", "c"]);
  });
});
