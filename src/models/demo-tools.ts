// How the offline demo model uses tools, deterministically: asked with tools and no tool results yet, it
// calls each tool once with arguments built from the tool's schema and the prompt's words; with results,
// it answers by quoting them.
import type { ChatMessage, ChatRequest, ToolCall } from "./types";

type Schema = Record<string, unknown>;

const MAX_WORDS = 12;

/** The text a request asks about: its last user turn, or its prompt. */
export function lastUserText(request: ChatRequest): string {
  const users = request.messages?.filter((message) => message.role === "user") ?? [];
  return users.at(-1)?.content ?? request.prompt;
}

/** A value for one property of the schema, from the prompt's words (or the schema's own hints). */
function valueFor(schema: Schema, words: string[], text: string): unknown {
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  if ("const" in schema) return schema.const;
  if ("default" in schema) return schema.default;
  const type = Array.isArray(schema.type) ? schema.type.find((kind) => kind !== "null") : schema.type;
  switch (type) {
    case "string": {
      const value = words.slice(0, MAX_WORDS).join(" ") || "demo";
      return typeof schema.maxLength === "number" ? value.slice(0, schema.maxLength) : value;
    }
    case "integer":
    case "number": {
      const number = Number(text.match(/-?\d+(?:\.\d+)?/)?.[0] ?? Number.NaN);
      const fallback = typeof schema.minimum === "number" ? schema.minimum : 1;
      const value = Number.isFinite(number) ? number : fallback;
      return type === "integer" ? Math.trunc(value) : value;
    }
    case "boolean":
      return true;
    case "array":
      return [];
    case "object":
      return argumentsFor(schema, text);
    default:
      return words.slice(0, MAX_WORDS).join(" ") || "demo";
  }
}

/** An object for an object schema: every property it lists, filled from `text`. */
export function argumentsFor(schema: Schema, text: string): Record<string, unknown> {
  const words = text.split(/\s+/).filter(Boolean);
  const properties = (schema.properties ?? {}) as Record<string, Schema>;
  const value: Record<string, unknown> = {};
  for (const [name, property] of Object.entries(properties)) value[name] = valueFor(property, words, text);
  return value;
}

/** The demo's calls for a first turn: each offered tool once, in order. */
export function demoCalls(request: ChatRequest): ToolCall[] {
  const text = lastUserText(request);
  return (request.tools ?? []).map((tool, index) => ({
    id: `call_demo_${index + 1}`,
    name: tool.name,
    arguments: JSON.stringify(argumentsFor(tool.parameters, text)),
  }));
}

/** The tool results in the conversation, each with the name of the function that gave it. */
export function toolResults(messages: readonly ChatMessage[]): { name: string; content: string }[] {
  const names = new Map<string, string>();
  const results: { name: string; content: string }[] = [];
  for (const message of messages) {
    if (message.role === "assistant") for (const call of message.toolCalls ?? []) names.set(call.id, call.name);
    if (message.role === "tool")
      results.push({ name: names.get(message.toolCallId) ?? message.toolCallId, content: message.content });
  }
  return results;
}

/** The demo's answer once the tools have answered: it quotes each result. */
export function demoAnswer(results: readonly { name: string; content: string }[]): string {
  const lines = results.map((result) => `- ${result.name}: ${result.content}`);
  return `Here is what the tools said:\n\n${lines.join("\n")}\n`;
}
