// The editor's lists: input fields and prompts, each with its settings, removable and movable up and
// down; a prompt's model from the catalogue, and placeholders inserted from the fields and earlier prompts.
import type { ToolInput } from "../src/client";
import { h } from "./dom";
import { modelPicker } from "./model-picker";

const FIELD_TYPES = ["text", "textarea", "select", "multi_select", "number", "boolean"];
type Field = NonNullable<ToolInput["inputFields"]>[number];
type Prompt = ToolInput["prompts"][number];

export function textInput(
  id: string,
  label: string,
  value: string,
  onInput: (value: string) => void,
  multiline = false,
) {
  const control = multiline ? h("textarea", { id }) : h("input", { id, type: "text" });
  control.value = value;
  control.addEventListener("input", () => onInput(control.value));
  return [h("label", { for: id }, label), control];
}

/** A number input; empty reads as null. */
function numberInput(
  id: string,
  label: string,
  value: number | null | undefined,
  attrs: Record<string, string>,
  onInput: (value: number | null) => void,
) {
  const control = h("input", { id, type: "number", ...attrs });
  control.value = value === null || value === undefined ? "" : String(value);
  control.addEventListener("input", () => onInput(control.value === "" ? null : Number(control.value)));
  return [h("label", { for: id }, label), control];
}

/** A select of `options`; `onChange` gets the option chosen, typed as the options are. */
export function select<T extends string>(
  id: string,
  options: readonly T[],
  value: T,
  onChange: (value: T) => void,
): HTMLSelectElement {
  const element = h(
    "select",
    { id },
    ...options.map((option) => h("option", { value: option, selected: option === value }, option)),
  );
  element.addEventListener("change", () => {
    const chosen = options.find((option) => option === element.value);
    if (chosen !== undefined) onChange(chosen);
  });
  return element;
}

/**
 * Remove, move up and move down for item `index` of `list`, then `redraw`. `swapped` lets an item
 * exchange what orders it with its neighbour (a prompt's position).
 */
function itemActions<T>(
  list: T[],
  index: number,
  what: string,
  redraw: () => void,
  swapped: (moved: T, other: T) => void = () => undefined,
): HTMLElement {
  const move = (to: number) => {
    const moved = list[index];
    const other = list[to];
    if (moved !== undefined && other !== undefined) swapped(moved, other);
    const [item] = list.splice(index, 1);
    if (item !== undefined) list.splice(to, 0, item);
    redraw();
  };
  return h(
    "div",
    { class: "tools", role: "group", "aria-label": `${what} actions` },
    h("button", { type: "button", disabled: index === 0, onclick: () => move(index - 1) }, `Move ${what} up`),
    h(
      "button",
      { type: "button", disabled: index === list.length - 1, onclick: () => move(index + 1) },
      `Move ${what} down`,
    ),
    h(
      "button",
      {
        type: "button",
        class: "danger",
        onclick: () => {
          list.splice(index, 1);
          redraw();
        },
      },
      `Remove ${what}`,
    ),
  );
}

export function fieldItems(fields: Field[], redraw: () => void): HTMLElement[] {
  return fields.map((field, i) =>
    h(
      "fieldset",
      { "data-path": `inputFields.${i}` },
      h("legend", {}, `Field ${i + 1}: ${field.name || "new"}`),
      ...textInput(`f${i}-name`, "Name", field.name, (value) => (field.name = value)),
      ...textInput(`f${i}-label`, "Label", field.label, (value) => (field.label = value)),
      h("label", { for: `f${i}-type` }, "Type"),
      select(`f${i}-type`, FIELD_TYPES, field.type, (value) => (field.type = value)),
      h(
        "label",
        { class: "check" },
        h("input", {
          type: "checkbox",
          id: `f${i}-required`,
          checked: field.required === true,
          onchange: (event: Event) => (field.required = (event.target as HTMLInputElement).checked),
        }),
        " Required",
      ),
      ...textInput(
        `f${i}-options`,
        "Options (comma-separated, for select types)",
        (field.options ?? []).join(", "),
        (value) => {
          field.options = value
            ? value
                .split(",")
                .map((item) => item.trim())
                .filter(Boolean)
            : undefined;
        },
      ),
      h("p", { class: "error", id: `err-inputFields.${i}` }),
      itemActions(fields, i, `field ${field.name || i + 1}`, redraw),
    ),
  );
}

/** `{{name}}` at the caret of `area`. */
function insertAt(area: HTMLTextAreaElement, text: string): void {
  const { selectionStart: from, selectionEnd: to, value } = area;
  area.value = value.slice(0, from) + text + value.slice(to);
  area.selectionStart = area.selectionEnd = from + text.length;
  area.dispatchEvent(new Event("input"));
  area.focus();
}

function placeholderPicker(tool: ToolInput, prompt: Prompt, id: string, area: HTMLTextAreaElement): HTMLElement[] {
  const names = [
    ...(tool.inputFields ?? []).map((field) => field.name),
    ...tool.prompts.filter((other) => other.position < prompt.position).map((other) => other.name),
  ].filter(Boolean);
  const picker = h(
    "select",
    { id },
    h("option", { value: "" }, "Insert a placeholder…"),
    ...names.map((name) => h("option", { value: name }, `{{${name}}}`)),
  );
  picker.addEventListener("change", () => {
    if (picker.value) insertAt(area, `{{${picker.value}}}`);
    picker.value = "";
  });
  return [h("label", { for: id }, "Placeholders"), picker];
}

export function promptItems(tool: ToolInput, redraw: () => void): HTMLElement[] {
  return tool.prompts.map((prompt, i) => {
    const [contentLabel, content] = textInput(
      `p${i}-content`,
      "Prompt ({{field}} or {{earlier_prompt}})",
      prompt.content,
      (value) => (prompt.content = value),
      true,
    );
    return h(
      "fieldset",
      { "data-path": `prompts.${i}` },
      h("legend", {}, `Prompt ${i + 1}: ${prompt.name || "new"}`),
      ...textInput(`p${i}-name`, "Name", prompt.name, (value) => (prompt.name = value)),
      ...numberInput(
        `p${i}-position`,
        "Position (equal positions run in parallel)",
        prompt.position,
        { min: "0", step: "1" },
        (value) => (prompt.position = value ?? 0),
      ),
      h("label", { for: `p${i}-model` }, "Model"),
      modelPicker(`p${i}-model`, prompt.model, (value) => (prompt.model = value)).element,
      ...textInput(
        `p${i}-system`,
        "System context (optional)",
        prompt.systemContext ?? "",
        (value) => (prompt.systemContext = value || null),
        true,
      ),
      contentLabel,
      content,
      ...placeholderPicker(tool, prompt, `p${i}-placeholders`, content as HTMLTextAreaElement),
      h(
        "div",
        { class: "pair" },
        h(
          "div",
          {},
          ...numberInput(
            `p${i}-temperature`,
            "Temperature (0–2, optional)",
            prompt.temperature,
            { min: "0", max: "2", step: "0.1" },
            (value) => (prompt.temperature = value),
          ),
        ),
        h(
          "div",
          {},
          ...numberInput(
            `p${i}-max-tokens`,
            "Max tokens (optional)",
            prompt.maxTokens,
            { min: "1", step: "1" },
            (value) => (prompt.maxTokens = value),
          ),
        ),
      ),
      h("p", { class: "error", id: `err-prompts.${i}` }),
      itemActions(tool.prompts, i, `prompt ${prompt.name || i + 1}`, redraw, (moved, other) => {
        // Run order is by position: moving a prompt takes its neighbour's position (parallel ones stay parallel).
        [moved.position, other.position] = [other.position, moved.position];
      }),
    );
  });
}
