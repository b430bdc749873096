// The page's router: the URL hash names the view, so a reload (or a shared link) returns to it.
import { ApiError } from "../src/client";
import { showAdminLinks } from "./admin-nav";
import { renderAudit } from "./audit-view";
import { errorText, h, show } from "./dom";
import { renderHistory } from "./history-view";
import { currentUser, loadSession, type Me, renderSignIn, signOut, whenSessionEnds } from "./session";
import { renderToolEditor } from "./tool-editor";
import { renderToolList } from "./tools-view";
import { renderUsage } from "./usage-view";
import { renderWorkspace } from "./workspace";

let leaving = new AbortController();

/** "Signed in as …" beside Sign out. */
function showUser(user: Me): void {
  const signOutButton = document.getElementById("sign-out") as HTMLButtonElement;
  signOutButton.hidden = false;
  let label = document.getElementById("signed-in-as");
  if (!label) {
    label = h("span", { id: "signed-in-as", class: "meta" });
    signOutButton.before(label);
  }
  label.textContent = `Signed in as ${user.name ?? user.email ?? user.userId}`;
  label.title = user.email ?? user.userId;
  showAdminLinks(user);
}

async function route(): Promise<void> {
  leaving.abort();
  leaving = new AbortController();
  if (!currentUser()) {
    const session = await loadSession().catch((error: unknown) => ({ user: null, notice: errorText(error) }));
    if (!session.user) return renderSignIn(session.notice);
    showUser(session.user);
  }
  const [path = "/", search = ""] = (location.hash.replace(/^#/, "") || "/").split("?");
  const parts = path.split("/").filter(Boolean);
  const query = new URLSearchParams(search);
  try {
    const { signal } = leaving;
    if (parts[0] === "tools" && parts[1] === "new") return await renderToolEditor(undefined, query.get("from"), signal);
    if (parts[0] === "tools" && parts[1] && parts[2] === "edit") return await renderToolEditor(parts[1], null, signal);
    if (parts[0] === "tools" && parts[1] && parts[2] === "run")
      return await renderWorkspace({ toolId: parts[1] }, signal);
    if (parts[0] === "executions" && parts[1]) return await renderWorkspace({ executionId: parts[1] }, signal);
    if (parts[0] === "history") return await renderHistory(query);
    if (parts[0] === "usage") return await renderUsage(query);
    if (parts[0] === "audit") return await renderAudit();
    return await renderToolList(query);
  } catch (error) {
    // A refused session already went back to sign-in (whenSessionEnds); never a dead end here.
    if (error instanceof ApiError && error.status === 401) return;
    show(
      h("h1", {}, "Something went wrong"),
      h("p", { class: "error", role: "alert" }, errorText(error)),
      h("a", { href: "#/" }, "Back to tools"),
    );
  }
}

whenSessionEnds((notice) => {
  leaving.abort();
  document.getElementById("signed-in-as")?.remove();
  (document.getElementById("sign-out") as HTMLButtonElement).hidden = true;
  void renderSignIn(notice);
});
document.getElementById("sign-out")?.addEventListener("click", () => void signOut());
window.addEventListener("hashchange", () => void route());
void route();
