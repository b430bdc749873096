// The editor's "Try it" pane: sample inputs for the fields as they are now, and a run of the tool being
// edited, unsaved (a draft run, SPEC §5), streaming beside the editor. Problems with the tool itself
// go beside the fields and steps they concern, as a save's would.
import { errorText, fieldErrors, h } from "./dom";
import { type EditableTool, toToolInput } from "./editor-model";
import { type Control, control, showInputErrors, valuesOf } from "./input-controls";
import { RunOutput } from "./run-output";
import { client } from "./session";

type FieldError = { path: string; message: string };

/** `toolErrors` places each error about the tool (paths as a save's: `prompts.0.content`). */
export function tryPane(tool: EditableTool, toolErrors: (errors: FieldError[]) => void, signal: AbortSignal) {
  const inputs = h("div", {});
  const errors = h("div", { role: "alert" });
  const button = h("button", { type: "submit", class: "primary" }, "Try it");
  const output = new RunOutput();
  output.idle("The answer appears here. Nothing is saved until you save the tool.");
  let controls: Control[] = [];
  let shape = "";
  const refresh = () => {
    const fields = tool.inputFields.filter((field) => field.name && field.label);
    const next = JSON.stringify(fields);
    if (next === shape) return;
    shape = next;
    // Rebuilt when the fields change; what the author typed is kept by name.
    const typed = new Map(controls.map((item) => [item.field.name, item.value()]));
    controls = fields.map((field) => control(field, "try-in-"));
    for (const item of controls) {
      const value = typed.get(item.field.name);
      if (value !== undefined) item.fill(value);
    }
    inputs.replaceChildren(
      ...(controls.length
        ? controls.flatMap((item) => item.parts)
        : [h("p", { class: "meta" }, "This tool has no inputs.")]),
    );
  };
  const form = h(
    "form",
    {
      novalidate: true,
      "aria-label": "Sample inputs",
      onsubmit: async (event: Event) => {
        event.preventDefault();
        errors.replaceChildren();
        showInputErrors(controls, []);
        toolErrors([]);
        button.disabled = true;
        try {
          const created = await client().executions.create({ draft: toToolInput(tool), inputs: valuesOf(controls) });
          void output.follow(created.id, signal);
        } catch (error) {
          const fields = fieldErrors(error);
          showInputErrors(controls, fields);
          toolErrors(
            fields
              .filter((field) => field.path.startsWith("draft."))
              .map((field) => ({ ...field, path: field.path.slice(6) })),
          );
          errors.append(h("p", { class: "error" }, errorText(error)));
        } finally {
          button.disabled = false;
        }
      },
    },
    inputs,
    errors,
    h("div", { class: "actions" }, button),
  );
  refresh();
  const element = h(
    "section",
    { class: "try-pane", "aria-labelledby": "try-title" },
    h("h2", { id: "try-title" }, "Try it"),
    h("p", { class: "meta" }, "Runs the tool as it is now with these sample inputs, without saving it."),
    form,
    output.element,
  );
  return { element, refresh };
}
