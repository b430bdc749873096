// The page's calls to the administrators' API (usage reports, the audit trail), with the credentials the
// typed client uses (the dev token, else the session cookie); a CSV report saved as a file.
import { apiErrorOf } from "../src/client";
import { h, show } from "./dom";
import { currentUser, token, watchedFetch } from "./session";

async function get(path: string): Promise<Response> {
  const stored = token();
  const response = await watchedFetch(path, {
    credentials: "same-origin",
    headers: stored ? { Authorization: `Bearer ${stored}` } : {},
  });
  if (response.ok) return response;
  throw await apiErrorOf(response);
}

export async function adminGet<T>(path: string): Promise<T> {
  return (await (await get(path)).json()) as T;
}

/** Fetches a CSV report and saves it under the name the service gives it (a link alone would not send a token). */
export async function downloadCsv(path: string): Promise<void> {
  const response = await get(path);
  const name = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") ?? "")?.[1] ?? "usage.csv";
  const url = URL.createObjectURL(await response.blob());
  const link = h("a", { href: url, download: name, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** Whether the signed-in user may see an administrators' screen; for anyone else it shows "Not found". */
export function shownToAdmins(): boolean {
  if (currentUser()?.isAdmin) return true;
  show(
    h("h1", {}, "Not found"),
    h("p", {}, "This page is for administrators."),
    h("a", { href: "#/" }, "Back to tools"),
  );
  return false;
}
