// The dialog to edit one prompt's text or model, or the inputs, then rerun the execution from that
// prompt (docs/api.md, "Rerun from a step"). Earlier prompts whose request is unchanged are reused by
// the server, and their panels say so. Inputs are edited with their labels and their own kind of
// control (a multi-line input as multi-line); the dialog opens at its top.
import type { ExecutionRecord, RerunInput } from "../src/client";
import { canonicalJson } from "../src/lib/canonical-json";
import { errorText, fieldErrors, h } from "./dom";
import { control, type FieldSpec, fillControls, showInputErrors } from "./input-controls";
import { modelPicker } from "./model-picker";
import { client } from "./session";

/** The run's fields; a run from before fields were kept gets one per input, multi-line when it was. */
function fieldsOf(record: ExecutionRecord): FieldSpec[] {
  if (record.inputFields) return record.inputFields;
  return Object.entries(record.inputs).map(([name, value]) => ({
    name,
    label: name,
    type: typeof value === "string" && (value.includes("\n") || value.length > 80) ? "textarea" : "text",
  }));
}

export function openRerun(record: ExecutionRecord, promptId: string, onCreated: (executionId: string) => void): void {
  const result = record.results.find((item) => item.promptId === promptId);
  if (!result) return;
  const content = h("textarea", { id: "rerun-content", rows: 8 });
  content.value = result.content ?? "";
  const model = modelPicker("rerun-model", result.model);
  const inputs = fieldsOf(record).map((field) => control(field, "rerun-input-"));
  fillControls(inputs, record.inputs);
  // Left empty, unchecked or missing all mean "no value": only a real change is sent.
  const comparable = (value: unknown) =>
    canonicalJson(
      value === "" || value === false || (Array.isArray(value) && value.length === 0) ? null : (value ?? null),
    );
  const before = (name: string) => comparable(record.inputs[name]);
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
    const changed = inputs.filter(({ field, value }) => comparable(value()) !== before(field.name));
    if (changed.length > 0) body.inputs = Object.fromEntries(changed.map(({ field, value }) => [field.name, value()]));
    try {
      const created = await client().executions.rerun(record.id, body);
      close();
      onCreated(created.id);
    } catch (error) {
      const fields = fieldErrors(error);
      showInputErrors(inputs, fields);
      errors.textContent = [errorText(error), ...fields.map((field) => field.message)].join(" · ");
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
      ...inputs.flatMap((item) => item.parts),
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
  // From the top: the caret at the start of the prompt text, which shows its first lines.
  content.setSelectionRange(0, 0);
  content.focus({ preventScroll: true });
  content.scrollTop = 0;
  dialog.scrollTop = 0;
}
