// The user's past executions, newest first, told apart by their inputs, status, cost and duration;
// filtered by tool and status (kept in the URL), paged with "Load more".
import type { ExecutionSummary } from "../src/client";
import { h, show } from "./dom";
import { between, money, seconds } from "./format";
import { client } from "./session";

const STATUSES = ["running", "completed", "failed", "canceled", "timed_out", "pending"];
const PAGE = 20;

function item(execution: ExecutionSummary): HTMLElement {
  const facts = [
    new Date(execution.createdAt ?? 0).toLocaleString(),
    seconds(between(execution.startedAt, execution.completedAt)),
    execution.costMicros === null ? null : money(execution.costMicros),
    execution.sourceExecutionId ? "rerun" : null,
  ].filter(Boolean);
  return h(
    "li",
    {},
    h(
      "span",
      { class: "summary" },
      h("a", { href: `#/executions/${execution.id}` }, execution.toolName),
      h("span", { class: "preview" }, execution.inputsPreview || "no inputs"),
    ),
    h("span", { class: `status ${execution.status}` }, execution.status),
    h("span", { class: "meta" }, facts.join(" · ")),
  );
}

function select(id: string, label: string, options: [string, string][], value: string): HTMLElement[] {
  const element = h(
    "select",
    { id, name: id },
    ...[["", "All"] as [string, string], ...options].map(([optionValue, text]) =>
      h("option", { value: optionValue, selected: optionValue === value }, text),
    ),
  );
  return [h("label", { for: id }, label), element];
}

export async function renderHistory(query: URLSearchParams): Promise<void> {
  const toolId = query.get("toolId") ?? "";
  const status = query.get("status") ?? "";
  const filter = { toolId: toolId || undefined, status: status || undefined, limit: PAGE };
  const [tools, first] = await Promise.all([client().tools.list(), client().executions.list(filter)]);
  const list = h("ul", { class: "cards", "aria-label": "Executions" }, ...first.executions.map(item));
  let cursor = first.nextCursor;
  const more = h("button", { type: "button", hidden: cursor === null }, "Load more");
  more.addEventListener("click", async () => {
    if (!cursor) return;
    const page = await client().executions.list({ ...filter, cursor });
    list.append(...page.executions.map(item));
    cursor = page.nextCursor;
    more.hidden = cursor === null;
  });
  const filters = h(
    "form",
    {
      class: "filters",
      "aria-label": "Filter executions",
      onsubmit: (event: Event) => {
        event.preventDefault();
        const data = new FormData(event.target as HTMLFormElement);
        const params = new URLSearchParams();
        for (const key of ["toolId", "status"]) {
          const value = String(data.get(key) ?? "");
          if (value) params.set(key, value);
        }
        location.hash = `#/history${params.size ? `?${params}` : ""}`;
      },
    },
    h(
      "div",
      {},
      ...select(
        "toolId",
        "Tool",
        tools.map((tool) => [tool.id, tool.name]),
        toolId,
      ),
    ),
    h(
      "div",
      {},
      ...select(
        "status",
        "Status",
        STATUSES.map((value) => [value, value]),
        status,
      ),
    ),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Filter")),
  );
  show(
    h("h1", { tabindex: -1 }, "History"),
    filters,
    first.executions.length === 0 ? h("p", {}, toolId || status ? "No executions match." : "No executions yet.") : list,
    h("div", { class: "actions" }, more),
  );
}
