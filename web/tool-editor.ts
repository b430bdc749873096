// The tool editor: the tool's settings (visibility, what a failed prompt does, a budget per run),
// its fields and prompts (editor-items.ts), save with the API's errors beside what they concern,
// and delete after a confirmation.
import type { Tool, ToolInput } from "../src/client";
import { errorText, fieldErrors, h, show } from "./dom";
import { fieldItems, promptItems, select, textInput } from "./editor-items";
import { client } from "./session";

const blankTool = (): ToolInput => ({
  name: "",
  description: "",
  visibility: "private",
  onPromptError: "stop",
  budget: null,
  inputFields: [{ name: "topic", label: "Topic", type: "text", required: true }],
  prompts: [{ name: "answer", position: 0, model: "demo", content: "Tell me about {{topic}}." }],
});

function toEditable(tool: Tool): ToolInput {
  return {
    name: tool.name,
    description: tool.description,
    visibility: tool.visibility,
    onPromptError: tool.onPromptError,
    budget: tool.budget,
    inputFields: tool.inputFields.map((field) => ({ ...field })),
    prompts: tool.prompts.map(({ name, position, model, content, systemContext, temperature, maxTokens }) => ({
      name,
      position,
      model,
      content,
      systemContext,
      temperature,
      maxTokens,
    })),
  };
}

/** The budget in dollars, as micro-dollars (empty: none). */
function budgetInput(tool: ToolInput): HTMLElement[] {
  const control = h("input", {
    id: "tool-budget",
    type: "number",
    min: "0",
    step: "0.01",
    "aria-describedby": "tool-budget-help",
  });
  control.value = tool.budget ? String(tool.budget.maxCostMicros / 1_000_000) : "";
  control.addEventListener("input", () => {
    const dollars = Number(control.value);
    tool.budget =
      control.value === "" || !(dollars > 0) ? null : { maxCostMicros: Math.max(1, Math.round(dollars * 1_000_000)) };
  });
  return [
    h("label", { for: "tool-budget" }, "Budget per run in USD (optional)"),
    h(
      "p",
      { id: "tool-budget-help", class: "meta" },
      "A run stops its model the moment it would spend more. Needs priced models.",
    ),
    control,
  ];
}

function deleteButton(id: string, name: string): HTMLElement {
  return h(
    "button",
    {
      type: "button",
      class: "danger",
      onclick: async () => {
        if (!confirm(`Delete the tool "${name}"? Its past runs stay in your history.`)) return;
        await client().tools.delete(id);
        location.hash = "#/";
      },
    },
    "Delete tool",
  );
}

/** Create (no id) or edit a tool. */
export async function renderToolEditor(id?: string): Promise<void> {
  const tool: ToolInput = id ? toEditable(await client().tools.get(id)) : blankTool();
  const errors = h("div", { role: "alert" });
  const list = h("div");
  const fields = () => tool.inputFields ?? [];
  const draw = () =>
    list.replaceChildren(
      h("h2", {}, "Input fields"),
      ...fieldItems(fields(), draw),
      h(
        "div",
        { class: "actions" },
        h(
          "button",
          {
            type: "button",
            onclick: () => {
              fields().push({ name: "", label: "", type: "text" });
              draw();
            },
          },
          "Add field",
        ),
      ),
      h("h2", {}, "Prompts"),
      ...promptItems(tool, draw),
      h(
        "div",
        { class: "actions" },
        h(
          "button",
          {
            type: "button",
            onclick: () => {
              const next = Math.max(-1, ...tool.prompts.map((prompt) => prompt.position)) + 1;
              tool.prompts.push({ name: "", position: next, model: "demo", content: "" });
              draw();
            },
          },
          "Add prompt",
        ),
      ),
    );
  tool.inputFields = fields();
  draw();
  const save = async (event: Event) => {
    event.preventDefault();
    errors.replaceChildren();
    for (const element of list.querySelectorAll(".error")) element.textContent = "";
    try {
      const saved = id ? await client().tools.update(id, tool) : await client().tools.create(tool);
      location.hash = `#/tools/${saved.id}/run`;
    } catch (error) {
      errors.append(h("p", { class: "error" }, errorText(error)));
      for (const field of fieldErrors(error)) {
        const [group, index] = field.path.split(".");
        const slot = document.getElementById(`err-${group}.${index}`);
        if (slot) slot.textContent = [slot.textContent, field.message].filter(Boolean).join(" · ");
      }
    }
  };
  show(
    h(
      "form",
      { onsubmit: save, novalidate: true },
      h("h1", { tabindex: -1 }, id ? "Edit tool" : "New tool"),
      ...textInput("tool-name", "Name", tool.name, (value) => (tool.name = value)),
      ...textInput(
        "tool-description",
        "Description",
        tool.description ?? "",
        (value) => (tool.description = value),
        true,
      ),
      h("label", { for: "tool-visibility" }, "Visibility"),
      select(
        "tool-visibility",
        ["private", "shared"] as const,
        tool.visibility ?? "private",
        (value) => (tool.visibility = value),
      ),
      h("label", { for: "tool-on-error" }, "When a prompt fails"),
      select(
        "tool-on-error",
        ["stop", "continue"] as const,
        tool.onPromptError ?? "stop",
        (value) => (tool.onPromptError = value),
      ),
      ...budgetInput(tool),
      list,
      errors,
      h(
        "div",
        { class: "actions" },
        h("button", { class: "primary", type: "submit" }, "Save tool"),
        id ? deleteButton(id, tool.name) : null,
      ),
    ),
  );
}
