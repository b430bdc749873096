// Tool bodies for tests: a valid two-step chain, easy to vary.
import type { ToolInput } from "../../src/client/types";
/** A tool body as the client sends it, with its input fields always listed. */
export type TestToolBody = ToolInput & Required<Pick<ToolInput, "inputFields">>;

/** The docs/api.md example tool, with every prompt on `model`. */
export function lessonPlanner(model = "gpt-4o-mini", overrides: Partial<TestToolBody> = {}): TestToolBody {
  return {
    name: "Lesson planner",
    description: "Outline then full lesson",
    inputFields: [
      { name: "topic", label: "Topic", type: "text", required: true },
      { name: "grade", label: "Grade", type: "select", options: ["K", "1", "2"], required: false },
    ],
    prompts: [
      {
        name: "outline",
        position: 0,
        model,
        systemContext: "You are a curriculum designer.",
        content: "Outline a lesson on {{topic}} for grade {{grade}}.",
      },
      {
        name: "lesson",
        position: 1,
        model,
        content: "Write the full lesson from this outline:\n{{outline}}",
        temperature: 0.7,
        maxTokens: 2000,
      },
    ],
    ...overrides,
  };
}
