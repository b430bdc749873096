// The editor's steps (the prompts, in run order): each folds under "Step 2: activity · runs after step
// 1"; when it runs is a choice (after the step before it, or alongside it) rather than a position number;
// its placeholder list, title and problems follow every keystroke; an agent step's tools and max steps
// (editor-agent.ts); added, moved and removed.
import { h } from "./dom";
import { agentChoices, agentSection } from "./editor-agent";
import { placeholdersFor, stepProblems, stepTitle, whenItRuns } from "./editor-checks";
import {
  addItem,
  changeItem,
  itemActions,
  nameActions,
  numberInput,
  pair,
  select,
  showProblems,
  textInput,
} from "./editor-controls";
import { blankPrompt, type EditablePrompt, type EditableTool } from "./editor-model";
import { modelPicker } from "./model-picker";

/** `{{name}}` at the caret of `area`. */
function insertAt(area: HTMLTextAreaElement, text: string): void {
  const { selectionStart: from, selectionEnd: to, value } = area;
  area.value = value.slice(0, from) + text + value.slice(to);
  area.selectionStart = area.selectionEnd = from + text.length;
  area.dispatchEvent(new Event("input"));
  area.focus();
}

/** The "Insert a placeholder…" list, filled again from the tool as it is now. */
function fillPicker(picker: HTMLSelectElement, tool: EditableTool, i: number): void {
  const { fields, steps } = placeholdersFor(tool, i);
  const group = (label: string, names: string[]) =>
    names.length ? h("optgroup", { label }, ...names.map((name) => h("option", { value: name }, `{{${name}}}`))) : null;
  picker.replaceChildren(
    ...[
      h("option", { value: "" }, "Insert a placeholder…"),
      group("Input fields", fields),
      group("Answers of earlier steps", steps),
    ].filter((item): item is HTMLOptionElement | HTMLOptGroupElement => item !== null),
  );
}

/** The settings most steps leave alone, folded unless one is set. */
function moreSettings(prompt: EditablePrompt, i: number, changed: () => void): HTMLElement {
  const set = prompt.systemContext || prompt.temperature !== null || prompt.maxTokens !== null;
  return h(
    "details",
    { class: "more", open: Boolean(set) },
    h("summary", {}, "More settings: system context, temperature, max tokens"),
    ...textInput(
      `p${i}-system`,
      "System context (optional)",
      prompt.systemContext ?? "",
      (value) => {
        prompt.systemContext = value || null;
        changed();
      },
      { multiline: true },
    ),
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
          (value) => {
            prompt.temperature = value;
            changed();
          },
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
          (value) => {
            prompt.maxTokens = value;
            changed();
          },
        ),
      ),
    ),
  );
}

/**
 * The steps list; `changed` runs after every edit; `refresh()` answers how many steps warn. `toolId`: the
 * tool being edited (not offered to its own steps as an assistant).
 */
export function stepList(tool: EditableTool, changed: () => void, options: { toolId?: string } = {}) {
  const items = h("div", { class: "items" });
  const choices = agentChoices(options.toolId);
  const add = h("button", { type: "button" }, "Add step");
  let refreshers: (() => number)[] = [];

  const item = (prompt: EditablePrompt, i: number): HTMLElement => {
    const title = h("span", { class: "item-title" });
    const when = h("span", { class: "meta when" });
    const badge = h("span", { class: "badge warning", hidden: true });
    const problems = h("ul", { class: "problems", id: `p${i}-problems`, hidden: true });
    const picker = h("select", { id: `p${i}-placeholders` });
    const whenSelect =
      i === 0
        ? null
        : select(
            `p${i}-when`,
            [
              ["after", ""],
              ["alongside", ""],
            ] as const,
            prompt.alongside ? "alongside" : "after",
            (value) => {
              prompt.alongside = value === "alongside";
              changed();
            },
          );
    const actions = itemActions(i, tool.prompts.length, `step ${prompt.name || i + 1}`, (change) => move(i, change));
    const refresh = () => {
      nameActions(actions, `step ${prompt.name || i + 1}`);
      title.textContent = stepTitle(tool, i);
      when.textContent = whenItRuns(tool, i);
      const before = stepTitle(tool, i - 1).replace(/^Step \d+: /, "");
      const [after, alongside] = whenSelect?.options ?? [];
      if (after) after.textContent = `After step ${i} (${before})`;
      if (alongside) alongside.textContent = `Alongside step ${i} (${before}), at the same time`;
      if (document.activeElement !== picker) fillPicker(picker, tool, i);
      const warnings = showProblems(problems, stepProblems(tool, i));
      badge.hidden = warnings === 0;
      badge.textContent = `${warnings} warning${warnings === 1 ? "" : "s"}`;
      return warnings;
    };
    refreshers.push(refresh);
    const [contentLabel, content] = textInput(
      `p${i}-content`,
      "Prompt text",
      prompt.content,
      (value) => {
        prompt.content = value;
        changed();
      },
      { multiline: true, describedBy: `p${i}-help p${i}-problems` },
    );
    picker.addEventListener("change", () => {
      if (picker.value) insertAt(content as HTMLTextAreaElement, `{{${picker.value}}}`);
      picker.value = "";
    });
    return h(
      "details",
      { class: "item", open: true, "data-path": `prompts.${i}` },
      h("summary", {}, title, " ", when, " ", badge),
      pair(
        textInput(`p${i}-name`, "Name (its answer is {{name}} later)", prompt.name, (value) => {
          prompt.name = value;
          changed();
        }),
        whenSelect ? [h("label", { for: `p${i}-when` }, "When it runs"), whenSelect] : null,
      ),
      h("label", { for: `p${i}-model` }, "Model"),
      modelPicker(`p${i}-model`, prompt.model, (value) => {
        prompt.model = value;
        changed();
      }).element,
      contentLabel,
      h(
        "p",
        { class: "meta", id: `p${i}-help` },
        "Use {{a field}} for an input, {{a step's name}} for an earlier answer.",
      ),
      content,
      h("label", { for: `p${i}-placeholders` }, "Insert a placeholder"),
      picker,
      problems,
      moreSettings(prompt, i, changed),
      agentSection(prompt, i, choices, changed),
      h("p", { class: "error", id: `err-prompts.${i}` }),
      actions,
    );
  };

  const draw = () => {
    refreshers = [];
    items.replaceChildren(...tool.prompts.map(item));
  };

  const list = {
    // Read at each change: the tool's lists are the editor's state.
    get list() {
      return tool.prompts;
    },
    items,
    add,
    redraw: () => {
      draw();
      changed();
    },
  };
  const move = (i: number, change: "up" | "down" | "remove") => changeItem(list, i, change);
  add.addEventListener("click", () => addItem(list, blankPrompt()));
  draw();
  return {
    element: h("div", {}, items, h("div", { class: "actions" }, add)),
    /** Updates every step from the tool; returns how many steps have warnings. */
    refresh: () => refreshers.map((refresh) => refresh()).filter((count) => count > 0).length,
  };
}
