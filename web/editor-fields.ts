// The editor's input fields: each one folds under its title, with its name, label, type, whether it is
// required and (for choices) its options; checked as the author types; added, moved and removed.
import { h } from "./dom";
import { fieldProblems } from "./editor-checks";
import {
  addItem,
  changeItem,
  itemActions,
  nameActions,
  pair,
  select,
  showProblems,
  textInput,
} from "./editor-controls";
import { blankField, type EditableField, type EditableTool } from "./editor-model";

const FIELD_TYPES = [
  ["text", "Short text"],
  ["textarea", "Long text (several lines)"],
  ["select", "One choice from a list"],
  ["multi_select", "Several choices from a list"],
  ["number", "Number"],
  ["boolean", "Yes or no"],
] as const;

const fieldTitle = (field: EditableField, i: number) =>
  `Field ${i + 1}: ${field.label || field.name || "new"}${field.name && field.label ? ` ({{${field.name}}})` : ""}`;

/** The fields list; `changed` runs after every edit (the steps' placeholder lists depend on the names). */
export function fieldList(tool: EditableTool, changed: () => void) {
  const items = h("div", { class: "items" });
  const add = h("button", { type: "button" }, "Add field");
  let refreshers: (() => void)[] = [];

  const item = (field: EditableField, i: number): HTMLElement => {
    const title = h("span", { class: "item-title" });
    const problems = h("ul", { class: "problems", id: `f${i}-problems`, hidden: true });
    const options = textInput(
      `f${i}-options`,
      "Options (comma-separated)",
      (field.options ?? []).join(", "),
      (value) => {
        field.options = value
          .split(",")
          .map((option) => option.trim())
          .filter(Boolean);
        changed();
      },
    );
    const optionsBox = h("div", {}, ...options);
    const actions = itemActions(i, tool.inputFields.length, `field ${field.name || i + 1}`, (change) =>
      move(i, change),
    );
    const refresh = () => {
      nameActions(actions, `field ${field.name || i + 1}`);
      title.textContent = fieldTitle(field, i);
      optionsBox.hidden = field.type !== "select" && field.type !== "multi_select";
      showProblems(problems, fieldProblems(tool, i));
    };
    refreshers.push(refresh);
    const edit = (apply: () => void) => () => {
      apply();
      changed();
    };
    return h(
      "details",
      { class: "item", open: true, "data-path": `inputFields.${i}` },
      h("summary", {}, title),
      pair(
        textInput(
          `f${i}-label`,
          "Label (what people see)",
          field.label,
          (value) => edit(() => (field.label = value))(),
          {
            describedBy: `f${i}-problems`,
          },
        ),
        textInput(
          `f${i}-name`,
          "Name (for {{placeholders}})",
          field.name,
          (value) => edit(() => (field.name = value))(),
          {
            describedBy: `f${i}-problems`,
          },
        ),
      ),
      h(
        "div",
        { class: "pair" },
        h(
          "div",
          {},
          h("label", { for: `f${i}-type` }, "Type"),
          select(`f${i}-type`, FIELD_TYPES, field.type as (typeof FIELD_TYPES)[number][0], (value) =>
            edit(() => (field.type = value))(),
          ),
        ),
        optionsBox,
      ),
      h(
        "label",
        { class: "check" },
        h("input", {
          type: "checkbox",
          id: `f${i}-required`,
          checked: field.required,
          onchange: (event: Event) => edit(() => (field.required = (event.target as HTMLInputElement).checked))(),
        }),
        " Required",
      ),
      problems,
      h("p", { class: "error", id: `err-inputFields.${i}` }),
      actions,
    );
  };

  const draw = () => {
    refreshers = [];
    items.replaceChildren(...tool.inputFields.map(item));
    for (const refresh of refreshers) refresh();
  };

  const list = {
    // Read at each change: the tool's lists are the editor's state.
    get list() {
      return tool.inputFields;
    },
    items,
    add,
    redraw: () => {
      draw();
      changed();
    },
  };
  const move = (i: number, change: "up" | "down" | "remove") => changeItem(list, i, change);
  add.addEventListener("click", () => addItem(list, blankField()));
  draw();
  return {
    element: h("div", {}, items, h("div", { class: "actions" }, add)),
    refresh: () => {
      for (const refresh of refreshers) refresh();
    },
  };
}
