// The user's past runs, newest first, told apart by their inputs, the start of their answer, status,
// cost and duration; searched by the text of their inputs or answers, filtered by tool and status. The
// filters apply at once and are kept in the URL (a reload or a shared link shows the same list). Each
// run can be deleted, after a confirmation.
import type { ExecutionListFilter, ExecutionSummary } from "../src/client";
import { errorText, h, show } from "./dom";
import { between, money, plainPreview, seconds } from "./format";
import { client } from "./session";

/** The status filter's choices, in this order; a new status is a compile error until it is listed. */
const STATUSES = Object.keys({
  running: true,
  waiting: true,
  completed: true,
  failed: true,
  canceled: true,
  timed_out: true,
  pending: true,
} satisfies Record<ExecutionSummary["status"], true>);
const PAGE = 20;
const TYPING_PAUSE_MS = 300;

/** A delete button for one run: after a confirmation, the run leaves the list (and every read of it). */
function deleteButton(execution: ExecutionSummary, announce: (text: string) => void): HTMLElement {
  const button = h(
    "button",
    { type: "button", class: "danger small", "aria-label": `Delete the run of ${execution.toolName}` },
    "Delete",
  );
  button.addEventListener("click", async () => {
    if (!confirm(`Delete this run of "${execution.toolName}"? Its inputs and answers are removed for good.`)) return;
    try {
      await client().executions.delete(execution.id);
      button.closest("li")?.remove();
      announce(`Deleted the run of ${execution.toolName}.`);
    } catch (error) {
      announce(`Could not delete the run: ${errorText(error)}`);
    }
  });
  return button;
}

function item(execution: ExecutionSummary, announce: (text: string) => void): HTMLElement {
  const facts = [
    new Date(execution.createdAt ?? 0).toLocaleString(),
    seconds(between(execution.startedAt, execution.completedAt)),
    execution.costMicros === null ? null : money(execution.costMicros),
    execution.sourceExecutionId ? "rerun" : null,
    execution.toolId === null ? "try-out, not saved" : null,
  ].filter(Boolean);
  return h(
    "li",
    {},
    h(
      "span",
      { class: "summary" },
      h("a", { href: `#/executions/${execution.id}` }, execution.toolName),
      h("span", { class: "preview" }, execution.inputsPreview || "no inputs"),
      execution.outputPreview
        ? h("span", { class: "preview answer-preview" }, plainPreview(execution.outputPreview, 280))
        : null,
    ),
    h("span", { class: `status ${execution.status}` }, execution.status),
    h("span", { class: "meta" }, facts.join(" · ")),
    deleteButton(execution, announce),
  );
}

function select(id: string, options: [string, string][], value: string): HTMLSelectElement {
  return h(
    "select",
    { id, name: id },
    ...[["", "All"] as [string, string], ...options].map(([optionValue, text]) =>
      h("option", { value: optionValue, selected: optionValue === value }, text),
    ),
  );
}

export async function renderHistory(query: URLSearchParams): Promise<void> {
  const tools = await client().tools.list();
  const search = h("input", { id: "q", name: "q", type: "search", maxlength: 200, autocomplete: "off" });
  search.value = query.get("q") ?? "";
  const tool = select(
    "toolId",
    tools.map((item) => [item.id, item.name]),
    query.get("toolId") ?? "",
  );
  const status = select(
    "status",
    STATUSES.map((value) => [value, value]),
    query.get("status") ?? "",
  );
  const list = h("ul", { class: "cards", "aria-label": "Executions" });
  const empty = h("p", { hidden: true });
  const count = h("p", { class: "meta", "aria-live": "polite" });
  const announce = (text: string) => (count.textContent = text);
  const itemOf = (execution: ExecutionSummary) => item(execution, announce);
  const more = h("button", { type: "button", hidden: true }, "Load more");
  let cursor: string | null = null;
  let filter: ExecutionListFilter = { limit: PAGE };
  let asked = 0;
  const load = async () => {
    const ask = ++asked;
    filter = {
      q: search.value.trim() || undefined,
      toolId: tool.value || undefined,
      status: status.value || undefined,
      limit: PAGE,
    };
    const params = new URLSearchParams(
      Object.entries(filter).flatMap(([key, value]) => (key === "limit" || !value ? [] : [[key, String(value)]])),
    );
    // The URL follows the filters without a new screen (the search box keeps its focus).
    history.replaceState(null, "", `#/history${params.size ? `?${params}` : ""}`);
    const page = await client().executions.list(filter);
    if (ask !== asked) return; // a newer filter answered first
    list.replaceChildren(...page.executions.map(itemOf));
    cursor = page.nextCursor;
    more.hidden = cursor === null;
    const filtered = Boolean(filter.q || filter.toolId || filter.status);
    empty.hidden = page.executions.length > 0;
    empty.textContent = filtered ? "No executions match." : "No executions yet.";
    count.textContent = filtered ? `${page.executions.length}${cursor ? "+" : ""} found` : "";
  };
  more.addEventListener("click", async () => {
    if (!cursor) return;
    const page = await client().executions.list({ ...filter, cursor });
    list.append(...page.executions.map(itemOf));
    cursor = page.nextCursor;
    more.hidden = cursor === null;
  });
  let typing: ReturnType<typeof setTimeout> | undefined;
  search.addEventListener("input", () => {
    clearTimeout(typing);
    typing = setTimeout(() => void load(), TYPING_PAUSE_MS);
  });
  tool.addEventListener("change", () => void load());
  status.addEventListener("change", () => void load());
  const filters = h(
    "form",
    {
      class: "filters",
      role: "search",
      "aria-label": "Find executions",
      onsubmit: (event: Event) => {
        event.preventDefault();
        clearTimeout(typing);
        void load();
      },
    },
    h("div", { class: "grow" }, h("label", { for: "q" }, "Search inputs and answers"), search),
    h("div", {}, h("label", { for: "toolId" }, "Tool"), tool),
    h("div", {}, h("label", { for: "status" }, "Status"), status),
  );
  show(h("h1", { tabindex: -1 }, "History"), filters, count, list, empty, h("div", { class: "actions" }, more));
  await load();
}
