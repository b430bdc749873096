// Tool bodies for tests: a valid two-step chain, easy to vary.
export interface TestToolBody {
  name: string;
  description?: string;
  visibility?: "private" | "shared";
  onPromptError?: "stop" | "continue";
  inputFields: { name: string; label: string; type: string; required?: boolean; options?: string[] }[];
  prompts: {
    name: string;
    position: number;
    model: string;
    content: string;
    systemContext?: string | null;
    temperature?: number;
    maxTokens?: number;
  }[];
}

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
