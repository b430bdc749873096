// The run screen, a teacher's workspace: the tool's inputs beside its output on wide screens (stacked on
// phones). Run, change an input, run again in place; the previous runs of the tool are one click away.
// `#/tools/:id/run` opens it empty, `#/executions/:id` with that run (its inputs in the form).
import { ApiError, type ExecutionRecord, type Tool } from "../src/client";
import { errorText, fieldErrors, h, show } from "./dom";
import { type Control, control, fillControls, showInputErrors, valuesOf } from "./input-controls";
import { previousRuns } from "./previous-runs";
import { openRerun } from "./rerun-dialog";
import { RunOutput } from "./run-output";
import { client } from "./session";

/** The tool a run belongs to, or null when it has none to show (a draft run, a deleted tool). */
async function toolOf(toolId: string | null): Promise<Tool | null> {
  if (toolId === null) return null;
  return client()
    .tools.get(toolId)
    .catch((error: unknown) => {
      if (error instanceof ApiError && error.status === 404) return null;
      throw error;
    });
}

/** The form of a tool's inputs; `run` gets the values and reports what the API said was wrong. */
function inputsForm(tool: Tool, run: (inputs: Record<string, unknown>) => Promise<void>) {
  const controls: Control[] = tool.inputFields.map((field) => control(field, "in-"));
  const errors = h("div", { role: "alert" });
  const button = h("button", { class: "primary", type: "submit" }, "Run");
  const form = h(
    "form",
    {
      novalidate: true,
      "aria-label": "Inputs",
      onsubmit: async (event: Event) => {
        event.preventDefault();
        errors.replaceChildren();
        showInputErrors(controls, []);
        button.disabled = true;
        try {
          await run(valuesOf(controls));
        } catch (error) {
          // Errors the fields carry are shown beside them; the rest (and the summary) here.
          showInputErrors(controls, fieldErrors(error));
          errors.append(h("p", { class: "error" }, errorText(error)));
        } finally {
          button.disabled = false;
        }
      },
    },
    ...controls.flatMap((item) => item.parts),
    errors,
    h("div", { class: "actions" }, button),
  );
  return { form, fill: (inputs: Record<string, unknown>) => fillControls(controls, inputs) };
}

/** Where a run without a tool came from, said plainly. */
function noToolNote(record: ExecutionRecord): HTMLElement {
  return h(
    "p",
    { class: "meta" },
    record.toolId === null
      ? "A try-out from the editor: its tool was not saved, so there is no form to run it again. Rerun it from any step."
      : "Its tool has been deleted (or is no longer shared with you). Rerun it from any step.",
  );
}

export async function renderWorkspace(target: { toolId?: string; executionId?: string }, signal: AbortSignal) {
  const record = target.executionId ? await client().executions.get(target.executionId) : null;
  const tool = await toolOf(target.toolId ?? record?.toolId ?? null);
  let form: ReturnType<typeof inputsForm> | null = null;
  const previous = tool ? previousRuns(tool.id) : null;
  const follow = (executionId: string) => {
    void output.follow(executionId, signal);
    previous?.refresh(executionId);
  };
  /** A new run in place: the URL names it (a reload or a shared link returns to it) without a new screen. */
  const started = (executionId: string) => {
    history.pushState(null, "", `#/executions/${executionId}`);
    follow(executionId);
  };
  const output = new RunOutput({
    onRerun: (source, promptId) => openRerun(source, promptId, started),
    // The form shows the inputs of the run on screen (a rerun may have changed them).
    onRecord: (loaded) => {
      if (form && loaded.toolId === tool?.id) form.fill(loaded.inputs);
    },
    // Back to the tool's form, the run gone from its previous runs; without a tool, to the history.
    onDeleted: () => {
      if (!tool) {
        location.hash = "#/history";
        return;
      }
      history.pushState(null, "", `#/tools/${tool.id}/run`);
      output.idle("Deleted. Fill in the inputs and press Run for a new one.");
      previous?.refresh(null);
    },
  });
  if (tool) {
    form = inputsForm(tool, async (inputs) => {
      const created = await client().executions.create({ toolId: tool.id, inputs });
      started(created.id);
    });
    if (record) form.fill(record.inputs);
  }
  const title = tool?.name ?? record?.toolName ?? "Run";
  show(
    h(
      "div",
      { class: "workspace" },
      h(
        "section",
        { class: "inputs-pane", "aria-labelledby": "workspace-title" },
        h("h1", { id: "workspace-title", tabindex: -1 }, title),
        tool?.description ? h("p", { class: "meta" }, tool.description) : null,
        form ? form.form : record ? noToolNote(record) : null,
        previous?.element,
        tool?.isOwner ? h("p", {}, h("a", { href: `#/tools/${tool.id}/edit` }, `Edit ${tool.name}`)) : null,
      ),
      h("section", { class: "output-pane", "aria-label": "Output" }, output.element),
    ),
  );
  if (record) follow(record.id);
  else {
    output.idle("Fill in the inputs and press Run: the answer appears here, step by step.");
    previous?.refresh(null);
  }
}
