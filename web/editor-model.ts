// The tool as the editor holds it: steps in run order, each either after the step before it or
// alongside it (at the same time), instead of raw position numbers; to and from the API's tool body.
import type { Budget, Tool, ToolInput } from "../src/client";

export interface EditableField {
  name: string;
  label: string;
  type: string;
  required: boolean;
  options?: string[];
}

export interface EditablePrompt {
  name: string;
  model: string;
  content: string;
  systemContext: string | null;
  temperature: number | null;
  maxTokens: number | null;
  /** An agent step's tools (`<server>.<tool>`, `<server>.*`, `assistant:<id>`); empty: an ordinary step. */
  tools: string[];
  /** An agent step's cap on model turns (null: the service's default, 10). */
  maxSteps: number | null;
  /** Runs at the same time as the step before it (the same position); the first step ignores it. */
  alongside: boolean;
}

export interface EditableTool {
  name: string;
  description: string;
  visibility: "private" | "shared";
  onPromptError: "stop" | "continue";
  budget: Budget | null;
  inputFields: EditableField[];
  prompts: EditablePrompt[];
}

export const blankField = (): EditableField => ({ name: "", label: "", type: "text", required: false });

export const blankPrompt = (): EditablePrompt => ({
  name: "",
  model: "demo",
  content: "",
  systemContext: null,
  temperature: null,
  maxTokens: null,
  tools: [],
  maxSteps: null,
  alongside: false,
});

export const blankTool = (): EditableTool => ({
  name: "",
  description: "",
  visibility: "private",
  onPromptError: "stop",
  budget: null,
  inputFields: [{ name: "topic", label: "Topic", type: "text", required: true }],
  prompts: [{ ...blankPrompt(), name: "answer", content: "Tell me about {{topic}}." }],
});

/** A saved tool for editing (its prompts arrive in run order). */
export function editableFrom(tool: Tool): EditableTool {
  return {
    name: tool.name,
    description: tool.description,
    visibility: tool.visibility,
    onPromptError: tool.onPromptError,
    budget: tool.budget,
    inputFields: tool.inputFields.map((field) => ({ ...field, required: field.required })),
    prompts: tool.prompts.map((prompt, i) => ({
      name: prompt.name,
      model: prompt.model,
      content: prompt.content,
      systemContext: prompt.systemContext,
      temperature: prompt.temperature,
      maxTokens: prompt.maxTokens,
      tools: prompt.tools ?? [],
      maxSteps: prompt.maxSteps ?? null,
      alongside: i > 0 && prompt.position === tool.prompts[i - 1]?.position,
    })),
  };
}

/** An editable copy of someone's (or one's own) tool, to save as a new one. */
export const copyOf = (tool: Tool): EditableTool => ({
  ...editableFrom(tool),
  name: `${tool.name} (copy)`,
  visibility: "private",
});

/** Each step's position: the first 0, then one more unless it runs alongside the step before. */
export function positionsOf(prompts: readonly EditablePrompt[]): number[] {
  const positions: number[] = [];
  prompts.forEach((prompt, i) => {
    const before = positions[i - 1];
    positions.push(before === undefined ? 0 : before + (prompt.alongside ? 0 : 1));
  });
  return positions;
}

/** The API's tool body. */
export function toToolInput(tool: EditableTool): ToolInput {
  const positions = positionsOf(tool.prompts);
  return {
    name: tool.name,
    description: tool.description,
    visibility: tool.visibility,
    onPromptError: tool.onPromptError,
    budget: tool.budget,
    inputFields: tool.inputFields.map(({ name, label, type, required, options }) => ({
      name,
      label,
      type,
      required,
      ...(options?.length ? { options } : {}),
    })),
    prompts: tool.prompts.map(({ alongside: _alongside, tools, maxSteps, ...prompt }, i) => ({
      ...prompt,
      position: positions[i] ?? 0,
      // Only an agent step sends its tools and cap; an ordinary step sends neither.
      ...(tools.length ? { tools, ...(maxSteps === null ? {} : { maxSteps }) } : {}),
    })),
  };
}
