// The administrators' Audit screen: the trail newest first (deletions, purges, changes of shared tools,
// admin reads), a page at a time with "Load more".
import type { AuditItem, AuditPage } from "../src/client";
import { adminGet, shownToAdmins } from "./admin-api";
import { h, show } from "./dom";

const PAGE = 50;

/** What each action means, in words. */
const ACTIONS: Record<string, string> = {
  "execution.deleted": "Deleted an execution",
  "user.data_deleted": "Deleted all their data",
  "retention.deleted": "Retention deleted an execution",
  "admin.purged": "Purged a user's data",
  "tool.shared_changed": "Changed a shared tool",
  "admin.read": "Read another user's execution",
};

function row(item: AuditItem): HTMLElement {
  return h(
    "tr",
    {},
    h("td", {}, h("time", { datetime: item.at }, new Date(item.at).toLocaleString())),
    h("td", { class: "id" }, item.actor),
    h("td", {}, ACTIONS[item.action] ?? item.action, " ", h("code", {}, item.action)),
    h("td", { class: "id" }, `${item.target.type} `, h("code", {}, item.target.id)),
  );
}

export async function renderAudit(): Promise<void> {
  if (!shownToAdmins()) return;
  const first = await adminGet<AuditPage>(`/api/admin/audit?limit=${PAGE}`);
  const body = h("tbody", {}, ...first.items.map(row));
  let cursor = first.nextCursor;
  const more = h("button", { type: "button", hidden: cursor === null }, "Load more");
  const status = h("p", { class: "meta", role: "status" });
  more.addEventListener("click", async () => {
    if (!cursor) return;
    more.disabled = true;
    const page = await adminGet<AuditPage>(`/api/admin/audit?limit=${PAGE}&cursor=${encodeURIComponent(cursor)}`);
    body.append(...page.items.map(row));
    cursor = page.nextCursor;
    more.hidden = cursor === null;
    more.disabled = false;
    status.textContent = `${body.children.length} entries shown${cursor === null ? ", the whole trail" : ""}.`;
  });
  show(
    h("h1", { tabindex: -1 }, "Audit trail"),
    h(
      "p",
      { class: "meta" },
      "Every deletion, purge, change of a shared tool and administrator's read of someone else's execution, newest first.",
    ),
    first.items.length === 0
      ? h("p", {}, "Nothing recorded yet.")
      : h(
          "table",
          { class: "figures audit" },
          h("caption", {}, "Audit trail, newest first"),
          h(
            "thead",
            {},
            h("tr", {}, ...["When", "Who", "What", "Target"].map((text) => h("th", { scope: "col" }, text))),
          ),
          body,
        ),
    h("div", { class: "actions" }, more),
    status,
  );
}
