// "Rerun from here": a dialog to edit one prompt's text or model, or the inputs, then rerun the
// execution from that prompt (docs/api.md, "Rerun from a step"). Earlier prompts whose request is
// unchanged are reused by the server, and their panels say so.
import type { ExecutionRecord, RerunInput } from "../src/client";
import { errorText, fieldErrors, h } from "./dom";
import { modelPicker } from "./model-picker";
import { client } from "./session";

/** What an edited input becomes: the same kind of value the run had (a list, a number, a yes/no). */
function asBefore(before: unknown, text: string): unknown {
  if (Array.isArray(before))
    return text
      .split(",")
      .map((item) => item.trim())
      .filter(Boolean);
  if (typeof before === "number") return text.trim() === "" ? undefined : Number(text);
  if (typeof before === "boolean") return text.trim().toLowerCase() === "true";
  return text;
}

const shown = (value: unknown) => (Array.isArray(value) ? value.join(", ") : String(value ?? ""));

export function openRerun(record: ExecutionRecord, promptId: string): void {
  const result = record.results.find((item) => item.promptId === promptId);
  if (!result) return;
  const content = h("textarea", { id: "rerun-content", rows: 6 });
  content.value = result.content ?? "";
  const model = modelPicker("rerun-model", result.model);
  const inputs = Object.entries(record.inputs).map(([name, value]) => {
    const field = h("input", { id: `rerun-input-${name}`, type: "text" });
    field.value = shown(value);
    return { name, before: value, field };
  });
  const errors = h("div", { role: "alert", class: "error" });
  const dialog = h("dialog", { class: "rerun", "aria-labelledby": "rerun-title" });
  const close = () => {
    dialog.close();
    dialog.remove();
  };
  const submit = async (event: Event) => {
    event.preventDefault();
    errors.textContent = "";
    const body: RerunInput = { fromPromptId: promptId };
    const override: NonNullable<RerunInput["prompts"]>[string] = {};
    if (content.value !== (result.content ?? "")) override.content = content.value;
    if (model.value() !== result.model) override.model = model.value();
    if (Object.keys(override).length > 0) body.prompts = { [promptId]: override };
    const changed = inputs.filter(({ before, field }) => field.value !== shown(before));
    if (changed.length > 0)
      body.inputs = Object.fromEntries(changed.map(({ name, before, field }) => [name, asBefore(before, field.value)]));
    try {
      const created = await client().executions.rerun(record.id, body);
      close();
      location.hash = `#/executions/${created.id}`;
    } catch (error) {
      errors.textContent = [errorText(error), ...fieldErrors(error).map((field) => field.message)].join(" · ");
    }
  };
  dialog.append(
    h(
      "form",
      { onsubmit: submit },
      h("h2", { id: "rerun-title" }, `Rerun from ${result.name}`),
      h("p", { class: "meta" }, "Earlier prompts whose request is unchanged are reused, not asked again."),
      h("label", { for: "rerun-content" }, `Prompt text of ${result.name}`),
      content,
      h("label", { for: "rerun-model" }, "Model"),
      model.element,
      ...(inputs.length ? [h("h3", {}, "Inputs")] : []),
      ...inputs.flatMap(({ name, field }) => [h("label", { for: field.id }, name), field]),
      errors,
      h(
        "div",
        { class: "actions" },
        h("button", { class: "primary", type: "submit" }, "Rerun"),
        h("button", { type: "button", onclick: close }, "Close"),
      ),
    ),
  );
  dialog.addEventListener("cancel", () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  content.focus();
}
