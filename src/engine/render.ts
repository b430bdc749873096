// A prompt's request to its model: its templates compiled once, then rendered from the inputs and
// the outputs of earlier prompts in a single pass.
import { type CompiledTemplate, compileTemplate, renderTemplate } from "../lib/templates";
import type { ChatRequest } from "../models/types";
import type { PlannedPrompt } from "./plan";

/** What a request is rendered from. */
export type PromptTemplate = Pick<PlannedPrompt, "model" | "content" | "systemContext" | "temperature" | "maxTokens">;

export interface CompiledPrompt {
  content: CompiledTemplate;
  system: CompiledTemplate | null;
}

export const compilePrompt = (prompt: PromptTemplate): CompiledPrompt => ({
  content: compileTemplate(prompt.content),
  system: prompt.systemContext ? compileTemplate(prompt.systemContext) : null,
});

/** The request `prompt` sends, its placeholders filled from `values`. */
export function renderRequest(
  prompt: PromptTemplate,
  values: ReadonlyMap<string, string>,
  compiled: CompiledPrompt = compilePrompt(prompt),
): ChatRequest {
  return {
    model: prompt.model,
    prompt: renderTemplate(compiled.content, values),
    systemContext: compiled.system ? renderTemplate(compiled.system, values) : null,
    temperature: prompt.temperature,
    maxTokens: prompt.maxTokens,
  };
}
