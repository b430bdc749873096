// What the editor tells the author as they type (pure, from the tool as it is now): each step's title
// and when it runs, the placeholders it may use, and its problems: errors the save would refuse, and
// warnings it would not (a step that uses no input and no earlier answer). The template rules are the
// server's own (src/lib/templates), so the page and the save agree.
import { compileTemplate, NAME_PATTERN, ordinalReference } from "../src/lib/templates";
import { type EditableTool, positionsOf } from "./editor-model";

export interface Problems {
  errors: string[];
  warnings: string[];
}

/** "Step 2: activity". */
export const stepTitle = (tool: EditableTool, index: number) =>
  `Step ${index + 1}: ${tool.prompts[index]?.name || "unnamed"}`;

/** "runs first", "runs after step 1", "runs alongside step 1". */
export function whenItRuns(tool: EditableTool, index: number): string {
  if (index === 0) return "runs first";
  return `runs ${tool.prompts[index]?.alongside ? "alongside" : "after"} step ${index}`;
}

/** The names step `index` may use: every input field, and the steps that run before it. */
export function placeholdersFor(tool: EditableTool, index: number): { fields: string[]; steps: string[] } {
  const positions = positionsOf(tool.prompts);
  const mine = positions[index] ?? 0;
  return {
    fields: tool.inputFields.map((field) => field.name).filter(Boolean),
    steps: tool.prompts.filter((prompt, i) => prompt.name && (positions[i] ?? 0) < mine).map((prompt) => prompt.name),
  };
}

/** Names used more than once across the fields and the steps. */
function repeatedNames(tool: EditableTool): Set<string> {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const name of [...tool.inputFields.map((field) => field.name), ...tool.prompts.map((prompt) => prompt.name)]) {
    if (name && seen.has(name)) repeated.add(name);
    seen.add(name);
  }
  return repeated;
}

function nameProblem(name: string, repeated: Set<string>, what: string): string | null {
  if (!name) return `Give this ${what} a name: the placeholders use it.`;
  if (!NAME_PATTERN.test(name)) return "A name starts with a letter or _ and has only letters, digits, _ and -.";
  if (repeated.has(name)) return `The name "${name}" is used more than once in this tool.`;
  return null;
}

export function fieldProblems(tool: EditableTool, index: number): Problems {
  const field = tool.inputFields[index];
  if (!field) return { errors: [], warnings: [] };
  const errors = [
    nameProblem(field.name, repeatedNames(tool), "field"),
    field.label.trim() ? null : "Give this field a label: it is what people see on the form.",
    (field.type === "select" || field.type === "multi_select") && !field.options?.length
      ? "A choice field needs options."
      : null,
  ].filter((item): item is string => item !== null);
  return { errors, warnings: [] };
}

export function stepProblems(tool: EditableTool, index: number): Problems {
  const prompt = tool.prompts[index];
  if (!prompt) return { errors: [], warnings: [] };
  const positions = positionsOf(tool.prompts);
  const mine = positions[index] ?? 0;
  const fields = new Set(tool.inputFields.map((field) => field.name).filter(Boolean));
  const errors: string[] = [];
  const named = nameProblem(prompt.name, repeatedNames(tool), "step");
  if (named) errors.push(named);
  if (!prompt.content.trim()) errors.push("Write what this step asks the model.");
  const { maxSteps } = prompt;
  if (prompt.tools.length && maxSteps !== null && !(Number.isInteger(maxSteps) && maxSteps >= 1 && maxSteps <= 50))
    errors.push("Max steps is a whole number from 1 to 50 (or empty for 10).");
  let usesInput = false;
  let usesEarlier = false;
  for (const name of new Set(compileTemplate(prompt.content).placeholders)) {
    if (fields.has(name)) {
      usesInput = true;
      continue;
    }
    const ordinal = ordinalReference(name);
    const target = ordinal === undefined ? tool.prompts.findIndex((item) => item.name === name) : ordinal - 1;
    const at = positions[target];
    if (target < 0 || at === undefined) errors.push(`{{${name}}} names no input field and no step.`);
    else if (at >= mine)
      errors.push(`{{${name}}} is step ${target + 1}'s answer, which is not ready when this step runs.`);
    else usesEarlier = true;
  }
  const warnings =
    prompt.content.trim() && !usesInput && !usesEarlier
      ? [
          index === 0
            ? "This step uses no input: every run asks the model the same thing. Insert a field below."
            : "This step uses no input and no earlier step's answer, so it does not build on the steps before it.",
        ]
      : [];
  return { errors, warnings };
}
