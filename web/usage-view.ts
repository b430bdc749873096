// The administrators' Usage screen: spend per day as a chart (with its table), the top users and tools,
// and each report as a CSV download, for a range of UTC days kept in the URL (#/usage?from=&to=).
import type { UsageReport, UsageRow } from "../src/client";
import { adminGet, downloadCsv, shownToAdmins } from "./admin-api";
import { barChart } from "./chart";
import { errorText, h, show } from "./dom";
import { money } from "./format";

const DAY_MS = 86_400_000;
const TOP = 10;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

const dayText = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Every day from `from` to `to`, both included (the chart shows days without runs as 0). */
function days(from: string, to: string): string[] {
  const list: string[] = [];
  for (let ms = Date.parse(`${from}T00:00:00Z`); ms <= Date.parse(`${to}T00:00:00Z`); ms += DAY_MS)
    list.push(dayText(ms));
  return list;
}

/** The top rows by cost (the report is ordered so) as a table; `what` names the first column. */
function topTable(caption: string, what: string, rows: UsageRow[]): HTMLElement {
  if (rows.length === 0) return h("p", {}, `No ${what.toLowerCase()}s ran anything in this range.`);
  const number = (value: number | string) => h("td", { class: "number" }, String(value));
  return h(
    "table",
    { class: "figures" },
    h("caption", {}, caption),
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        h("th", { scope: "col" }, what),
        ...["Executions", "Completed", "Failed", "Input tokens", "Output tokens", "Cost"].map((text) =>
          h("th", { scope: "col", class: "number" }, text),
        ),
      ),
    ),
    h(
      "tbody",
      {},
      ...rows
        .slice(0, TOP)
        .map((row) =>
          h(
            "tr",
            {},
            h("th", { scope: "row", title: row.key }, row.label ?? row.key),
            number(row.executions),
            number(row.completed),
            number(row.failed),
            number(row.inputTokens),
            number(row.outputTokens),
            number(money(row.costMicros)),
          ),
        ),
    ),
  );
}

function rangeForm(from: string, to: string): HTMLElement {
  const field = (name: string, label: string, value: string) => [
    h("label", { for: `usage-${name}` }, label),
    h("input", { id: `usage-${name}`, name, type: "date", value, required: true }),
  ];
  return h(
    "form",
    {
      class: "filters",
      "aria-label": "Days to report",
      onsubmit: (event: Event) => {
        event.preventDefault();
        const data = new FormData(event.target as HTMLFormElement);
        location.hash = `#/usage?${new URLSearchParams({ from: String(data.get("from")), to: String(data.get("to")) })}`;
      },
    },
    h("div", {}, ...field("from", "From (UTC)", from)),
    h("div", {}, ...field("to", "To (UTC, included)", to)),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Show")),
  );
}

function downloads(range: URLSearchParams): HTMLElement {
  const status = h("p", { class: "error", role: "alert" });
  const link = (groupBy: string, text: string) => {
    const path = `/api/admin/usage?${range}&groupBy=${groupBy}&format=csv`;
    return h(
      "li",
      {},
      h(
        "a",
        {
          href: path,
          download: "",
          onclick: (event: Event) => {
            event.preventDefault();
            status.textContent = "";
            downloadCsv(path).catch((error: unknown) => {
              status.textContent = `Could not download: ${errorText(error)}`;
            });
          },
        },
        text,
      ),
    );
  };
  return h(
    "section",
    { "aria-labelledby": "usage-downloads" },
    h("h2", { id: "usage-downloads" }, "Download as CSV"),
    h(
      "ul",
      {},
      link("day", "Per day (CSV)"),
      link("user", "Per user (CSV)"),
      link("tool", "Per tool (CSV)"),
      link("model", "Per model (CSV)"),
    ),
    status,
  );
}

export async function renderUsage(query: URLSearchParams): Promise<void> {
  if (!shownToAdmins()) return;
  const range = new URLSearchParams();
  for (const name of ["from", "to"]) {
    const value = query.get(name) ?? "";
    if (DATE.test(value)) range.set(name, value);
  }
  const report = (groupBy: string) =>
    adminGet<UsageReport>(`/api/admin/usage?${range}${range.size ? "&" : ""}groupBy=${groupBy}`);
  const [perDay, perUser, perTool] = await Promise.all([report("day"), report("user"), report("tool")]);
  const { from, to } = perDay;
  const spent = new Map(perDay.rows.map((row) => [row.key, row.costMicros]));
  const bars = days(from, to).map((day) => ({
    label: day,
    value: spent.get(day) ?? 0,
    text: money(spent.get(day) ?? 0),
  }));
  const total = perDay.rows.reduce((sum, row) => sum + row.costMicros, 0);
  const runs = perDay.rows.reduce((sum, row) => sum + row.executions, 0);
  const highest = bars.reduce(
    (best, bar) => (bar.value > best.value ? bar : best),
    bars[0] ?? { label: "", value: 0, text: "" },
  );
  const description =
    total === 0
      ? `No spending from ${from} to ${to}.`
      : `Spend per UTC day from ${from} to ${to}: ${money(total)} in all; the highest day is ${highest.label} with ${highest.text}.`;
  show(
    h("h1", { tabindex: -1 }, "Usage"),
    rangeForm(from, to),
    h(
      "p",
      { class: "meta", id: "usage-summary" },
      `${from} to ${to} (UTC): ${runs} ${runs === 1 ? "execution" : "executions"}, ${money(total)} spent.`,
    ),
    h(
      "section",
      { "aria-labelledby": "usage-chart-heading" },
      h("h2", { id: "usage-chart-heading" }, "Spend per day"),
      barChart({ id: "usage-chart", title: "Spend per day", description, bars, columns: ["Day (UTC)", "Spend"] }),
    ),
    h(
      "section",
      { "aria-labelledby": "usage-users" },
      h("h2", { id: "usage-users" }, "Top users"),
      topTable(`Top ${TOP} users by spend, ${from} to ${to}`, "User", perUser.rows),
    ),
    h(
      "section",
      { "aria-labelledby": "usage-tools" },
      h("h2", { id: "usage-tools" }, "Top tools"),
      topTable(`Top ${TOP} tools by spend, ${from} to ${to}`, "Tool", perTool.rows),
    ),
    downloads(new URLSearchParams({ from, to })),
  );
}
