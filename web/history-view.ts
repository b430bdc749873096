// The user's past executions, newest first; opening one replays its stored outputs.
import { h, show } from "./dom";
import { client } from "./session";

export async function renderHistory(): Promise<void> {
  const { executions } = await client().executions.list({ limit: 50 });
  show(
    h("h1", {}, "History"),
    executions.length === 0
      ? h("p", {}, "No executions yet.")
      : h(
          "ul",
          { class: "cards", "aria-label": "Executions" },
          ...executions.map((execution) =>
            h(
              "li",
              {},
              h("a", { href: `#/executions/${execution.id}` }, execution.toolName),
              h("span", { class: `status ${execution.status}` }, execution.status),
              h("span", { class: "meta" }, new Date(execution.createdAt ?? 0).toLocaleString()),
            ),
          ),
        ),
  );
}
