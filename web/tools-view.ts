// The tool list and the tool editor; the API's validation errors appear beside the field or prompt.
import type { Tool, ToolInput } from "../src/client";
import { errorText, fieldErrors, h, show } from "./dom";
import { client } from "./session";

const FIELD_TYPES = ["text", "textarea", "select", "multi_select", "number", "boolean"];

export async function renderToolList(): Promise<void> {
  const tools = await client().tools.list();
  show(
    h("h1", {}, "Tools"),
    h("div", { class: "actions" }, h("a", { class: "button primary", href: "#/tools/new" }, "New tool")),
    tools.length === 0
      ? h("p", {}, "No tools yet.")
      : h(
          "ul",
          { class: "cards", "aria-label": "Tools" },
          ...tools.map((tool) =>
            h(
              "li",
              {},
              h(
                "span",
                {},
                h("strong", {}, tool.name),
                " ",
                h("span", { class: "meta" }, tool.visibility === "shared" ? "shared" : "private"),
              ),
              h(
                "span",
                { class: "actions" },
                h("a", { class: "button primary", href: `#/tools/${tool.id}/run` }, `Run ${tool.name}`),
                tool.isOwner ? h("a", { class: "button", href: `#/tools/${tool.id}/edit` }, "Edit") : null,
              ),
            ),
          ),
        ),
  );
}

const blankTool = (): ToolInput => ({
  name: "",
  description: "",
  visibility: "private",
  onPromptError: "stop",
  inputFields: [{ name: "topic", label: "Topic", type: "text", required: true }],
  prompts: [{ name: "answer", position: 0, model: "demo", content: "Tell me about {{topic}}." }],
});

function input(
  id: string,
  label: string,
  value: string,
  onInput: (value: string) => void,
  multiline = false,
): HTMLElement[] {
  const control = multiline ? h("textarea", { id }) : h("input", { id, type: "text" });
  control.value = value;
  control.addEventListener("input", () => onInput(control.value));
  return [h("label", { for: id }, label), control];
}

/** Create (no id) or edit a tool. */
export async function renderToolEditor(id?: string): Promise<void> {
  const tool: ToolInput = id ? toEditable(await client().tools.get(id)) : blankTool();
  const errors = h("div", { role: "alert" });
  const list = h("div");
  const draw = () => {
    list.replaceChildren(
      ...(tool.inputFields ?? []).map((field, i) =>
        h(
          "fieldset",
          { "data-path": `inputFields.${i}` },
          h("legend", {}, `Field ${i + 1}`),
          ...input(`f${i}-name`, "Name", field.name, (value) => (field.name = value)),
          ...input(`f${i}-label`, "Label", field.label, (value) => (field.label = value)),
          h("label", { for: `f${i}-type` }, "Type"),
          select(`f${i}-type`, FIELD_TYPES, field.type, (value) => (field.type = value)),
          ...input(
            `f${i}-options`,
            "Options (comma-separated, for select types)",
            (field.options ?? []).join(", "),
            (value) =>
              (field.options = value
                ? value
                    .split(",")
                    .map((item) => item.trim())
                    .filter(Boolean)
                : undefined),
          ),
          h("p", { class: "error", id: `err-inputFields.${i}` }),
        ),
      ),
      h(
        "div",
        { class: "actions" },
        h(
          "button",
          {
            type: "button",
            onclick: () => {
              tool.inputFields?.push({ name: "", label: "", type: "text" });
              draw();
            },
          },
          "Add field",
        ),
      ),
      ...tool.prompts.map((prompt, i) =>
        h(
          "fieldset",
          { "data-path": `prompts.${i}` },
          h("legend", {}, `Prompt ${i + 1}`),
          ...input(`p${i}-name`, "Name", prompt.name, (value) => (prompt.name = value)),
          ...input(
            `p${i}-position`,
            "Position (equal positions run in parallel)",
            String(prompt.position),
            (value) => (prompt.position = Number(value)),
          ),
          ...input(`p${i}-model`, "Model", prompt.model, (value) => (prompt.model = value)),
          ...input(
            `p${i}-content`,
            "Prompt ({{field}} or {{earlier_prompt}})",
            prompt.content,
            (value) => (prompt.content = value),
            true,
          ),
          h("p", { class: "error", id: `err-prompts.${i}` }),
        ),
      ),
      h(
        "div",
        { class: "actions" },
        h(
          "button",
          {
            type: "button",
            onclick: () => {
              tool.prompts.push({ name: "", position: tool.prompts.length, model: "demo", content: "" });
              draw();
            },
          },
          "Add prompt",
        ),
      ),
    );
  };
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
      h("h1", {}, id ? "Edit tool" : "New tool"),
      ...input("tool-name", "Name", tool.name, (value) => (tool.name = value)),
      ...input("tool-description", "Description", tool.description ?? "", (value) => (tool.description = value), true),
      h("label", { for: "tool-visibility" }, "Visibility"),
      select(
        "tool-visibility",
        ["private", "shared"],
        tool.visibility ?? "private",
        (value) => (tool.visibility = value as "private" | "shared"),
      ),
      h("label", { for: "tool-on-error" }, "When a prompt fails"),
      select(
        "tool-on-error",
        ["stop", "continue"],
        tool.onPromptError ?? "stop",
        (value) => (tool.onPromptError = value as "stop" | "continue"),
      ),
      list,
      errors,
      h("div", { class: "actions" }, h("button", { class: "primary", type: "submit" }, "Save tool")),
    ),
  );
}

function select(id: string, options: string[], value: string, onChange: (value: string) => void): HTMLSelectElement {
  const element = h(
    "select",
    { id },
    ...options.map((option) => h("option", { value: option, selected: option === value }, option)),
  );
  element.addEventListener("change", () => onChange(element.value));
  return element;
}

function toEditable(tool: Tool): ToolInput {
  return {
    name: tool.name,
    description: tool.description,
    visibility: tool.visibility,
    onPromptError: tool.onPromptError,
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
