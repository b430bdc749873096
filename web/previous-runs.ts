// "Previous runs" beside a tool's form: its latest runs, one click away (folded), each with its inputs
// and the start of its answer, and a link to all of them in History.
import type { ExecutionSummary } from "../src/client";
import { h } from "./dom";
import { plainPreview } from "./format";
import { client } from "./session";

const SHOWN = 5;

function item(execution: ExecutionSummary, current: string | null): HTMLElement {
  const when = new Date(execution.createdAt ?? 0).toLocaleString();
  return h(
    "li",
    {},
    h(
      "a",
      {
        href: `#/executions/${execution.id}`,
        "aria-current": execution.id === current ? "page" : undefined,
      },
      when,
    ),
    " ",
    h("span", { class: `status ${execution.status}` }, execution.status),
    h("span", { class: "preview" }, execution.inputsPreview || "no inputs"),
    execution.outputPreview
      ? h("span", { class: "preview answer-preview" }, plainPreview(execution.outputPreview, 280))
      : null,
  );
}

/** The folded list of `toolId`'s latest runs; `current` marks the one on screen. Refresh it after a run. */
export function previousRuns(toolId: string): { element: HTMLElement; refresh: (current: string | null) => void } {
  const summary = h("summary", {}, "Previous runs");
  const list = h("ul", { class: "runs", "aria-label": "Previous runs of this tool" });
  const element = h(
    "details",
    { class: "previous" },
    summary,
    list,
    h("p", {}, h("a", { href: `#/history?toolId=${encodeURIComponent(toolId)}` }, "All runs of this tool in History")),
  );
  const refresh = (current: string | null) =>
    void client()
      .executions.list({ toolId, limit: SHOWN })
      .then(({ executions }) => {
        summary.textContent = executions.length
          ? `Previous runs (${executions.length}${executions.length === SHOWN ? "+" : ""})`
          : "Previous runs (none yet)";
        list.replaceChildren(...executions.map((execution) => item(execution, current)));
      })
      .catch(() => undefined);
  return { element, refresh };
}
