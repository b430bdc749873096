// The tool editor: what the tool is (name, description, who sees it, what a failed step does, a budget),
// its input fields and its steps, each section folding; checks that follow every keystroke (errors the
// save would refuse, warnings it would not); "Try it" beside it to run the tool unsaved; save with the
// API's errors beside what they concern; delete after a confirmation. New, edit, or an editable copy.
import { errorText, fieldErrors, h, show } from "./dom";
import { select, textInput } from "./editor-controls";
import { fieldList } from "./editor-fields";
import { blankTool, copyOf, type EditableTool, editableFrom, toToolInput } from "./editor-model";
import { stepList } from "./editor-prompts";
import { tryPane } from "./editor-try";
import { client } from "./session";

type FieldError = { path: string; message: string };

/** The budget in dollars, as micro-dollars (empty: none). */
function budgetInput(tool: EditableTool): HTMLElement[] {
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
  const remove = async () => {
    if (!confirm(`Delete the tool "${name}"? Its past runs stay in your history.`)) return;
    await client().tools.delete(id);
    location.hash = "#/";
  };
  return h("button", { type: "button", class: "danger", onclick: remove }, "Delete tool");
}

/** A section that folds under its heading. */
const section = (title: string, ...children: (HTMLElement | null)[]) =>
  h("details", { class: "section", open: true }, h("summary", {}, h("h2", {}, title)), ...children);

/** Puts each API error beside the field or step it names (`inputFields.1.name`, `prompts.0.content`). */
function placeErrors(errors: FieldError[]): void {
  for (const slot of document.querySelectorAll<HTMLElement>('[id^="err-inputFields."], [id^="err-prompts."]'))
    slot.textContent = "";
  for (const { path, message } of errors) {
    const [group, index] = path.split(".");
    const slot = document.getElementById(`err-${group}.${index}`);
    if (slot) slot.textContent = [slot.textContent, message].filter(Boolean).join(" · ");
  }
}

async function loadTool(
  id: string | undefined,
  from: string | null,
): Promise<{ tool: EditableTool; note: string | null }> {
  if (id) return { tool: editableFrom(await client().tools.get(id)), note: null };
  if (!from) return { tool: blankTool(), note: null };
  const original = await client().tools.get(from);
  return {
    tool: copyOf(original),
    note: `A copy of ${original.name}: change what you need, then save it as your own.`,
  };
}

/** Create (no id), edit, or (`from`) start from a copy of another tool. */
export async function renderToolEditor(
  id: string | undefined,
  from: string | null,
  signal: AbortSignal,
): Promise<void> {
  const { tool, note } = await loadTool(id, from);
  const errors = h("div", { role: "alert" });
  const warnings = h("p", { class: "warning", hidden: true });
  const refresh = () => {
    fields.refresh();
    const warned = steps.refresh();
    warnings.hidden = warned === 0;
    warnings.textContent = `${warned} step${warned === 1 ? " has a warning" : "s have warnings"}: you can save anyway.`;
    trial.refresh();
  };
  const fields = fieldList(tool, () => refresh());
  const steps = stepList(tool, () => refresh(), { toolId: id });
  const trial = tryPane(tool, placeErrors, signal);
  const save = async (event: Event) => {
    event.preventDefault();
    errors.replaceChildren();
    placeErrors([]);
    try {
      const saved = id
        ? await client().tools.update(id, toToolInput(tool))
        : await client().tools.create(toToolInput(tool));
      location.hash = `#/tools/${saved.id}/run`;
    } catch (error) {
      errors.append(h("p", { class: "error" }, errorText(error)));
      placeErrors(fieldErrors(error));
    }
  };
  const form = h(
    "form",
    { onsubmit: save, novalidate: true, class: "editor-form", "aria-labelledby": "editor-title" },
    section(
      "About this tool",
      ...textInput("tool-name", "Name", tool.name, (value) => (tool.name = value)),
      ...textInput(
        "tool-description",
        "Description (shown in the tool list)",
        tool.description,
        (value) => (tool.description = value),
        { multiline: true },
      ),
      h("label", { for: "tool-visibility" }, "Who can use it"),
      select(
        "tool-visibility",
        [
          ["private", "Only me"],
          ["shared", "Everyone signed in (shared)"],
        ] as const,
        tool.visibility,
        (value) => (tool.visibility = value),
      ),
      h("label", { for: "tool-on-error" }, "When a step fails"),
      select(
        "tool-on-error",
        [
          ["stop", "Stop the run"],
          ["continue", "Go on without its answer"],
        ] as const,
        tool.onPromptError,
        (value) => (tool.onPromptError = value),
      ),
      ...budgetInput(tool),
    ),
    section("Input fields", h("p", { class: "meta" }, "What people fill in before a run."), fields.element),
    section(
      "Steps",
      h(
        "p",
        { class: "meta" },
        "Each step is a prompt sent to the model, in order; a step can use the answers of the steps before it.",
      ),
      steps.element,
    ),
    warnings,
    errors,
    h(
      "div",
      { class: "actions" },
      h("button", { class: "primary", type: "submit" }, "Save tool"),
      id ? deleteButton(id, tool.name) : null,
    ),
  );
  show(
    h("h1", { id: "editor-title", tabindex: -1 }, id ? "Edit tool" : "New tool"),
    note ? h("p", { class: "meta" }, note) : null,
    h("div", { class: "editor" }, form, trial.element),
  );
  refresh();
}
