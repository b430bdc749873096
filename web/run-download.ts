// A run as one Markdown document (its inputs by label, then each prompt's answer), saved as a file.
import type { ExecutionRecord, ExecutionState } from "../src/client";
import { h } from "./dom";

export const inputText = (value: unknown) => (Array.isArray(value) ? value.join(", ") : String(value));

/** The label of each input the run had (its name when the run kept no fields). */
export function labelled(record: ExecutionRecord): { name: string; label: string; value: unknown }[] {
  const labels = new Map(record.inputFields?.map((field) => [field.name, field.label]));
  return Object.entries(record.inputs).map(([name, value]) => ({ name, label: labels.get(name) ?? name, value }));
}

/** The whole run as one Markdown document. */
export function asMarkdown(record: ExecutionRecord | null, state: ExecutionState): string {
  const inputs = record ? labelled(record).map(({ label, value }) => `- **${label}**: ${inputText(value)}`) : [];
  return [
    `# ${state.toolName}`,
    inputs.length ? `Inputs:\n\n${inputs.join("\n")}` : null,
    ...state.prompts.map((prompt) => `## ${prompt.name}\n\n${prompt.output}`),
  ]
    .filter(Boolean)
    .join("\n\n")
    .concat("\n");
}

export function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: "text/markdown" }));
  const link = h("a", { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
