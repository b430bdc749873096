// The tool list: each tool with its description, run it, edit one of your own, or duplicate any into an
// editable copy; the ones used last first (or the newest first), the order kept in the URL.
import type { ToolSummary } from "../src/client";
import { h, show } from "./dom";
import { client } from "./session";

const SORTS = [
  ["lastUsed", "Recently used"],
  ["created", "Newest"],
] as const;
type Sort = (typeof SORTS)[number][0];

function card(tool: ToolSummary): HTMLElement {
  return h(
    "li",
    { class: "tool" },
    h(
      "div",
      { class: "summary" },
      h("h2", {}, tool.name),
      tool.description ? h("p", { class: "description" }, tool.description) : null,
      h(
        "span",
        { class: "meta" },
        tool.visibility === "shared" ? (tool.isOwner ? "shared by you" : "shared") : "private",
      ),
    ),
    h(
      "div",
      { class: "actions" },
      h("a", { class: "button primary", href: `#/tools/${tool.id}/run` }, `Run ${tool.name}`),
      tool.isOwner
        ? h("a", { class: "button", href: `#/tools/${tool.id}/edit`, "aria-label": `Edit ${tool.name}` }, "Edit")
        : null,
      h(
        "a",
        {
          class: "button",
          href: `#/tools/new?from=${encodeURIComponent(tool.id)}`,
          "aria-label": `Duplicate ${tool.name}`,
        },
        "Duplicate",
      ),
    ),
  );
}

function listOf(tools: ToolSummary[]): HTMLElement {
  return tools.length === 0
    ? h("p", {}, "No tools yet. Make one with New tool.")
    : h("ul", { class: "cards tool-list", "aria-label": "Tools" }, ...tools.map(card));
}

export async function renderToolList(query: URLSearchParams): Promise<void> {
  const sort: Sort = query.get("sort") === "created" ? "created" : "lastUsed";
  const holder = h("div", {}, listOf(await client().tools.list("all", { sort })));
  const order = h(
    "select",
    { id: "tool-sort" },
    ...SORTS.map(([value, label]) => h("option", { value, selected: value === sort }, label)),
  );
  // In place, so the select keeps the focus; the URL keeps the order for a reload.
  order.addEventListener("change", async () => {
    const chosen: Sort = order.value === "created" ? "created" : "lastUsed";
    history.replaceState(null, "", chosen === "created" ? "#/?sort=created" : "#/");
    holder.replaceChildren(listOf(await client().tools.list("all", { sort: chosen })));
  });
  show(
    h("h1", { tabindex: -1 }, "Tools"),
    h(
      "div",
      { class: "toolbar" },
      h("a", { class: "button primary", href: "#/tools/new" }, "New tool"),
      h("span", { class: "sort" }, h("label", { for: "tool-sort" }, "Order"), order),
    ),
    holder,
  );
}
