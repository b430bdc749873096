// The page's editor rules, pure: steps after or alongside the one before become positions, each step is
// offered the fields and the earlier steps' answers, and its problems are what a save would refuse
// (the server's template rules) plus a warning for a step that uses no input and no earlier answer.
import { describe, expect, it } from "vitest";
import { fieldProblems, placeholdersFor, stepProblems, stepTitle, whenItRuns } from "../../web/editor-checks";
import { blankPrompt, type EditableTool, editableFrom, positionsOf, toToolInput } from "../../web/editor-model";

const step = (name: string, content: string, alongside = false) => ({ ...blankPrompt(), name, content, alongside });

const tool = (...prompts: ReturnType<typeof step>[]): EditableTool => ({
  name: "T",
  description: "",
  visibility: "private",
  onPromptError: "stop",
  budget: null,
  inputFields: [{ name: "topic", label: "Topic", type: "text", required: true }],
  prompts,
});

describe("steps and positions", () => {
  it("numbers positions by step: after adds one, alongside shares the one before", () => {
    const chain = tool(step("a", "{{topic}}"), step("b", "{{a}}"), step("c", "{{a}}", true), step("d", "{{b}} {{c}}"));
    expect(positionsOf(chain.prompts)).toEqual([0, 1, 1, 2]);
    expect(toToolInput(chain).prompts.map((prompt) => [prompt.name, prompt.position])).toEqual([
      ["a", 0],
      ["b", 1],
      ["c", 1],
      ["d", 2],
    ]);
    expect(toToolInput(chain).prompts[0]).not.toHaveProperty("alongside");
    expect([0, 1, 2, 3].map((i) => whenItRuns(chain, i))).toEqual([
      "runs first",
      "runs after step 1",
      "runs alongside step 2",
      "runs after step 3",
    ]);
    expect(stepTitle(chain, 3)).toBe("Step 4: d");
  });

  it("reads a saved tool's positions (gaps and all) back as after and alongside", () => {
    const saved = editableFrom({
      id: "t",
      name: "Saved",
      description: "",
      visibility: "private",
      onPromptError: "stop",
      budget: null,
      isOwner: true,
      createdAt: null,
      updatedAt: null,
      inputFields: [],
      prompts: [0, 5, 5, 9].map((position, i) => ({
        id: `p${i}`,
        name: `p${i}`,
        position,
        model: "demo",
        content: "x",
        systemContext: null,
        temperature: null,
        maxTokens: null,
      })),
    });
    expect(saved.prompts.map((prompt) => prompt.alongside)).toEqual([false, false, true, false]);
    expect(positionsOf(saved.prompts)).toEqual([0, 1, 1, 2]);
  });
});

describe("what a step may use, and its problems", () => {
  it("offers the fields and the steps that run before it, never one alongside", () => {
    const chain = tool(step("a", "{{topic}}"), step("b", "{{a}}"), step("c", "{{a}}", true));
    expect(placeholdersFor(chain, 2)).toEqual({ fields: ["topic"], steps: ["a"] });
    expect(placeholdersFor(chain, 0)).toEqual({ fields: ["topic"], steps: [] });
  });

  it("flags a placeholder that names nothing, or a step not ready yet (by name or result_N)", () => {
    const chain = tool(step("a", "{{topic}}"), step("b", "{{c}} {{result_3}} {{nope}}"), step("c", "{{a}}"));
    expect(stepProblems(chain, 1).errors).toEqual([
      "{{c}} is step 3's answer, which is not ready when this step runs.",
      "{{result_3}} is step 3's answer, which is not ready when this step runs.",
      "{{nope}} names no input field and no step.",
    ]);
    expect(stepProblems(chain, 2)).toEqual({ errors: [], warnings: [] });
    expect(stepProblems(tool(step("a", "{{topic}}"), step("b", "{{result_1}}")), 1)).toEqual({
      errors: [],
      warnings: [],
    });
  });

  it("warns, without refusing, about a step that uses no input and no earlier answer", () => {
    const chain = tool(step("a", "Say hi."), step("b", "Write a poem."), step("c", "${topic}"));
    expect(stepProblems(chain, 0)).toEqual({
      errors: [],
      warnings: ["This step uses no input: every run asks the model the same thing. Insert a field below."],
    });
    expect(stepProblems(chain, 1).warnings[0]).toContain("no input and no earlier step's answer");
    expect(stepProblems(chain, 2)).toEqual({ errors: [], warnings: [] });
  });

  it("checks names (missing, malformed, repeated) and fields (label, options)", () => {
    const chain = tool(step("", "{{topic}}"), step("topic", "{{topic}}"), step("9x", "{{topic}}"));
    expect(stepProblems(chain, 0).errors).toEqual(["Give this step a name: the placeholders use it."]);
    expect(stepProblems(chain, 1).errors).toEqual(['The name "topic" is used more than once in this tool.']);
    expect(stepProblems(chain, 2).errors[0]).toContain("starts with a letter");
    const fields = {
      ...tool(step("a", "{{topic}}")),
      inputFields: [{ name: "grade", label: " ", type: "select", required: false }],
    };
    expect(fieldProblems(fields, 0).errors).toEqual([
      "Give this field a label: it is what people see on the form.",
      "A choice field needs options.",
    ]);
  });
});

/** A saved prompt's settings, for a tool as the API answers it. */
const base = { model: "demo", content: "x", systemContext: null, temperature: null, maxTokens: null };

describe("an agent step in the editor", () => {
  const agent = (tools: string[], maxSteps: number | null) => ({ ...step("a", "{{topic}}"), tools, maxSteps });

  it("sends tools and max steps only for a step with tools, and reads them back", () => {
    const chain = tool(agent(["lesson.find_standard", "assistant:t1"], 4), agent([], 7), agent(["lesson.*"], null));
    const [first, second, third] = toToolInput(chain).prompts;
    expect(first).toMatchObject({ tools: ["lesson.find_standard", "assistant:t1"], maxSteps: 4 });
    // No tools: an ordinary step, whatever max steps says.
    expect(second).not.toHaveProperty("tools");
    expect(second).not.toHaveProperty("maxSteps");
    // Max steps left empty: the service's default.
    expect(third).toMatchObject({ tools: ["lesson.*"] });
    expect(third).not.toHaveProperty("maxSteps");
    const saved = editableFrom({
      id: "t",
      name: "Saved",
      description: "",
      visibility: "private",
      onPromptError: "stop",
      budget: null,
      isOwner: true,
      createdAt: null,
      updatedAt: null,
      inputFields: [],
      prompts: [
        { ...base, id: "p0", name: "p0", position: 0, tools: ["classroom.post_announcement"], maxSteps: 3 },
        { ...base, id: "p1", name: "p1", position: 1 },
      ],
    });
    expect(saved.prompts.map((prompt) => [prompt.tools, prompt.maxSteps])).toEqual([
      [["classroom.post_announcement"], 3],
      [[], null],
    ]);
  });

  it("flags max steps outside 1–50 or not whole, only on an agent step", () => {
    const message = "Max steps is a whole number from 1 to 50 (or empty for 10).";
    for (const bad of [0, 51, 2.5]) expect(stepProblems(tool(agent(["x.*"], bad)), 0).errors).toEqual([message]);
    for (const good of [1, 50, null]) expect(stepProblems(tool(agent(["x.*"], good)), 0).errors).toEqual([]);
    expect(stepProblems(tool(agent([], 0)), 0).errors).toEqual([]);
  });
});
