// One execution: the inputs it ran with, a panel per prompt (parallel prompts side by side) with text
// arriving live, the run's status, duration, tokens and cost; cancel while it runs, then run again,
// rerun from a prompt, or download it as Markdown. A reload replays the events, so text is never doubled.
import { type ExecutionRecord, type ExecutionState, type ExecutionStatus, foldEvent } from "../src/client";
import { errorText, h, show } from "./dom";
import { PromptPanel } from "./execution-panel";
import { money, seconds, slug } from "./format";
import { openRerun } from "./rerun-dialog";
import { client } from "./session";

/** The banner for each way an execution ends: a new ending is a compile error until it has one. */
const ENDINGS: Record<Exclude<ExecutionStatus, "running">, (state: ExecutionState) => string> = {
  completed: (state) =>
    // Cost only when something was priced: unpriced and free models spend nothing worth a figure.
    `Completed in ${seconds(state.durationMs)} · ${state.usage?.inputTokens ?? 0} tokens in, ${state.usage?.outputTokens ?? 0} out${state.spentMicros > 0 ? ` · ${money(state.spentMicros)}` : ""}.`,
  failed: (state) => `Failed: ${state.error?.message ?? "unknown error"}`,
  canceled: () => "Canceled. Text received before the cancel is kept; rerun from any prompt, or run again.",
  timed_out: () => "Timed out: the execution reached its time limit. Text received so far is kept.",
};

const inputText = (value: unknown) => (Array.isArray(value) ? value.join(", ") : String(value));

/** The whole run as one Markdown document. */
function asMarkdown(record: ExecutionRecord | null, state: ExecutionState): string {
  const inputs = Object.entries(record?.inputs ?? {}).map(([name, value]) => `- **${name}**: ${inputText(value)}`);
  return [
    `# ${state.toolName}`,
    inputs.length ? `Inputs:\n\n${inputs.join("\n")}` : null,
    ...state.prompts.map((prompt) => `## ${prompt.name}\n\n${prompt.output}`),
  ]
    .filter(Boolean)
    .join("\n\n")
    .concat("\n");
}

function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: "text/markdown" }));
  const link = h("a", { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function inputsList(record: ExecutionRecord): HTMLElement | null {
  const entries = Object.entries(record.inputs);
  if (entries.length === 0) return null;
  return h(
    "dl",
    { class: "inputs", "aria-label": "Inputs" },
    ...entries.flatMap(([name, value]) => [h("dt", {}, name), h("dd", {}, inputText(value))]),
  );
}

export async function renderExecution(executionId: string, signal: AbortSignal): Promise<void> {
  const title = h("h1", { tabindex: -1 }, "Execution");
  const banner = h("p", { class: "banner", role: "status" }, "Connecting…");
  const spending = h("p", { class: "meta", "aria-live": "polite" });
  const cancel = h("button", { type: "button" }, "Cancel");
  cancel.addEventListener("click", () =>
    client()
      .executions.cancel(executionId)
      .catch((error: unknown) => (banner.textContent = errorText(error))),
  );
  const runAgain = h("a", { class: "button", hidden: true }, "Run again");
  const save = h("button", { type: "button", disabled: true }, "Download .md");
  const details = h("div");
  const rows = h("div");
  show(title, details, banner, spending, h("div", { class: "actions" }, cancel, runAgain, save), rows);
  let record: ExecutionRecord | null = null;
  void client()
    .executions.get(executionId)
    .then((loaded) => {
      record = loaded;
      runAgain.setAttribute("href", `#/tools/${loaded.toolId}/run?from=${loaded.id}`);
      runAgain.hidden = false;
      details.replaceChildren(
        loaded.sourceExecutionId
          ? h(
              "p",
              { class: "meta" },
              "A rerun of ",
              h("a", { href: `#/executions/${loaded.sourceExecutionId}` }, "an earlier run"),
            )
          : "",
        inputsList(loaded) ?? "",
      );
    })
    .catch(() => undefined);
  const showSpending = (spent: number, budget: number | null) => {
    spending.textContent = `Spent ${money(spent)}${budget === null ? "" : ` of a ${money(budget)} budget`}`;
  };
  const panels = new Map<string, PromptPanel>();
  let state: ExecutionState | null = null;
  save.addEventListener("click", () => {
    if (state) download(`${slug(state.toolName)}-${executionId.slice(0, 8)}.md`, asMarkdown(record, state));
  });
  const rerunFrom = async (promptId: string) => {
    const fresh = await client().executions.get(executionId);
    openRerun(fresh, promptId);
  };
  try {
    for await (const event of client().executions.stream(executionId, { signal })) {
      state = foldEvent(state, event);
      if (!state) continue;
      if (panels.size === 0) {
        title.textContent = state.toolName;
        banner.textContent = "Running…";
        save.disabled = false;
        const positions = [...new Set(state.prompts.map((prompt) => prompt.position))].sort((a, b) => a - b);
        rows.replaceChildren(
          ...positions.map((position) => {
            const row = h("div", { class: "row" });
            for (const prompt of state?.prompts.filter((item) => item.position === position) ?? []) {
              const view = new PromptPanel(prompt, (id) => void rerunFrom(id));
              panels.set(prompt.id, view);
              row.append(view.element);
            }
            return row;
          }),
        );
      }
      const ended = state.status !== "running";
      for (const prompt of state.prompts) panels.get(prompt.id)?.update(prompt, ended);
      if (state.spentMicros > 0 || state.budgetMicros !== null) showSpending(state.spentMicros, state.budgetMicros);
      if (state.status !== "running") {
        banner.textContent = ENDINGS[state.status](state);
        banner.className = `banner ${state.status}`;
        cancel.hidden = true;
      }
    }
  } catch (error) {
    if (!signal.aborted) banner.textContent = `Lost the connection: ${errorText(error)}. Reload to resume.`;
    return;
  }
  // execution.cost comes at most once a second: the record has the final figure of a run that ended.
  const final = await client()
    .executions.get(executionId)
    .catch(() => null);
  if (final && (final.costMicros || final.budgetMicros !== null))
    showSpending(final.costMicros ?? 0, final.budgetMicros);
}
