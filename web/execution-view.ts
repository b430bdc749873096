// One execution: a panel per prompt, in position order with parallel prompts side by side, text
// arriving live. Reloading the page replays the events from the start, so text is never doubled.
import { type ExecutionState, type ExecutionStatus, foldEvent, type PromptState } from "../src/client";
import { errorText, h, show } from "./dom";
import { client } from "./session";

/** The banner for each way an execution ends: a new ending is a compile error until it has one. */
const ENDINGS: Record<Exclude<ExecutionStatus, "running">, (state: ExecutionState) => string> = {
  completed: (state) =>
    `Completed in ${((state.durationMs ?? 0) / 1000).toFixed(1)} s · ${state.usage?.inputTokens ?? 0} tokens in, ${state.usage?.outputTokens ?? 0} out.`,
  failed: (state) => `Failed: ${state.error?.message ?? "unknown error"}`,
  canceled: () => "Canceled. Text received before the cancel is kept.",
  timed_out: () => "Timed out: the execution reached its time limit. Text received so far is kept.",
};

interface PanelElements {
  status: HTMLElement;
  meta: HTMLElement;
  output: HTMLElement;
}

function panel(prompt: PromptState): { element: HTMLElement; parts: PanelElements } {
  const parts = {
    status: h("span", { class: "status" }),
    meta: h("span", { class: "meta" }),
    output: h("pre", { "aria-live": "polite", "aria-label": `${prompt.name} output` }),
  };
  const element = h(
    "article",
    { class: "panel", "data-prompt": prompt.name, "aria-label": prompt.name },
    h("h3", {}, prompt.name),
    parts.status,
    " ",
    parts.meta,
    parts.output,
  );
  return { element, parts };
}

function update(parts: PanelElements, prompt: PromptState): void {
  const retrying = prompt.status === "running" && prompt.restartedBecause !== null;
  parts.status.textContent = retrying ? `retrying (attempt ${prompt.attempt})` : prompt.status;
  parts.status.className = `status ${retrying ? "retrying" : prompt.status}`;
  const details = [
    prompt.model,
    retrying ? `started again: ${prompt.restartedBecause?.message}` : null,
    prompt.attempt > 1 && !retrying ? `${prompt.attempt} attempts` : null,
    prompt.durationMs === null ? null : `${(prompt.durationMs / 1000).toFixed(1)} s`,
    prompt.usage ? `${prompt.usage.outputTokens} tokens` : null,
    prompt.error?.message,
  ].filter(Boolean);
  parts.meta.textContent = details.join(" · ");
  if (parts.output.textContent !== prompt.output) parts.output.textContent = prompt.output;
}

export async function renderExecution(executionId: string, signal: AbortSignal): Promise<void> {
  const title = h("h1", {}, "Execution");
  const banner = h("p", { class: "banner", role: "status" }, "Connecting…");
  const cancel = h(
    "button",
    {
      type: "button",
      onclick: () =>
        client()
          .executions.cancel(executionId)
          .catch((error: unknown) => (banner.textContent = errorText(error))),
    },
    "Cancel",
  );
  const rows = h("div");
  show(title, banner, h("div", { class: "actions" }, cancel), rows);
  const panels = new Map<string, PanelElements>();
  let state: ExecutionState | null = null;
  try {
    for await (const event of client().executions.stream(executionId, { signal })) {
      state = foldEvent(state, event);
      if (!state) continue;
      if (panels.size === 0) {
        title.textContent = state.toolName;
        banner.textContent = "Running…";
        const positions = [...new Set(state.prompts.map((prompt) => prompt.position))].sort((a, b) => a - b);
        rows.replaceChildren(
          ...positions.map((position) => {
            const row = h("div", { class: "row" });
            for (const prompt of state?.prompts.filter((item) => item.position === position) ?? []) {
              const { element, parts } = panel(prompt);
              panels.set(prompt.id, parts);
              row.append(element);
            }
            return row;
          }),
        );
      }
      for (const prompt of state.prompts) {
        const parts = panels.get(prompt.id);
        if (parts) update(parts, prompt);
      }
      if (state.status !== "running") {
        banner.textContent = ENDINGS[state.status](state);
        banner.className = `banner ${state.status}`;
        cancel.hidden = true;
      }
    }
  } catch (error) {
    if (!signal.aborted) banner.textContent = `Lost the connection: ${errorText(error)}. Reload to resume.`;
  }
}
