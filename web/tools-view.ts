// The tool list: run a tool, or edit one of your own.
import { h, show } from "./dom";
import { client } from "./session";

export async function renderToolList(): Promise<void> {
  const tools = await client().tools.list();
  show(
    h("h1", { tabindex: -1 }, "Tools"),
    h("div", { class: "actions" }, h("a", { class: "button primary", href: "#/tools/new" }, "New tool")),
    tools.length === 0
      ? h("p", {}, "No tools yet.")
      : h(
          "ul",
          { class: "cards", "aria-label": "Tools" },
          ...tools.map((tool) =>
            h(
              "li",
              {},
              h(
                "span",
                {},
                h("strong", {}, tool.name),
                " ",
                h("span", { class: "meta" }, tool.visibility === "shared" ? "shared" : "private"),
              ),
              h(
                "span",
                { class: "actions" },
                h("a", { class: "button primary", href: `#/tools/${tool.id}/run` }, `Run ${tool.name}`),
                tool.isOwner ? h("a", { class: "button", href: `#/tools/${tool.id}/edit` }, "Edit") : null,
              ),
            ),
          ),
        ),
  );
}
