// The page's router: the URL hash names the view, so a reload (or a shared link) returns to it.
import { errorText, h, show } from "./dom";
import { renderExecution } from "./execution-view";
import { renderHistory } from "./history-view";
import { renderRunForm } from "./run-view";
import { renderSignIn, signOut, token } from "./session";
import { renderToolEditor } from "./tool-editor";
import { renderToolList } from "./tools-view";

let leaving = new AbortController();

async function route(): Promise<void> {
  leaving.abort();
  leaving = new AbortController();
  if (!token()) return renderSignIn();
  (document.getElementById("sign-out") as HTMLButtonElement).hidden = false;
  const [path = "/", search = ""] = (location.hash.replace(/^#/, "") || "/").split("?");
  const parts = path.split("/").filter(Boolean);
  const query = new URLSearchParams(search);
  try {
    if (parts[0] === "tools" && parts[1] === "new") return await renderToolEditor();
    if (parts[0] === "tools" && parts[1] && parts[2] === "edit") return await renderToolEditor(parts[1]);
    if (parts[0] === "tools" && parts[1] && parts[2] === "run")
      return await renderRunForm(parts[1], query.get("from") ?? undefined);
    if (parts[0] === "executions" && parts[1]) return await renderExecution(parts[1], leaving.signal);
    if (parts[0] === "history") return await renderHistory(query);
    return await renderToolList();
  } catch (error) {
    show(
      h("h1", {}, "Something went wrong"),
      h("p", { class: "error", role: "alert" }, errorText(error)),
      h("a", { href: "#/" }, "Back to tools"),
    );
  }
}

document.getElementById("sign-out")?.addEventListener("click", signOut);
window.addEventListener("hashchange", () => void route());
void route();
