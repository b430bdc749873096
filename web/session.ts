// Who the page is signed in as: the session cookie (sign-in with the school's account) or a token kept in
// localStorage (local development); the API client built from it; a session that ends goes back to sign-in.
import { type Client, createClient } from "../src/client";
import { h, show } from "./dom";

const KEY = "aas.token";
/** Set while a cookie session is known to be live, so its end can be told from "never signed in". */
const COOKIE_SESSION = "aas.cookie-session";

export interface Me {
  userId: string;
  email?: string;
  name?: string;
  isAdmin: boolean;
}

let me: Me | null = null;
let onEnded: (reason: string) => void = () => {};

export const token = () => localStorage.getItem(KEY);
/** The signed-in user, once `loadSession` found one. */
export const currentUser = () => me;

/** Called with the reason when the API refuses the session mid-use (the router shows the sign-in). */
export function whenSessionEnds(listener: (reason: string) => void): void {
  onEnded = listener;
}

async function refusalReason(response: Response): Promise<string> {
  const body = (await response
    .clone()
    .json()
    .catch(() => null)) as { error?: { message?: string } } | null;
  return body?.error?.message ?? `HTTP ${response.status}`;
}

/** Forgets the credentials at once (synchronously: the first refusal wins); whether someone was signed in. */
function forget(): boolean {
  const hadSession = token() !== null || localStorage.getItem(COOKIE_SESSION) !== null;
  localStorage.removeItem(KEY);
  localStorage.removeItem(COOKIE_SESSION);
  me = null;
  return hadSession;
}

const endedNotice = (reason: string) => `Your session has ended (${reason}). Sign in again to continue.`;

/** Every API call: the cookie goes along (same origin); a 401 means the session is over. */
export const watchedFetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
  const response = await fetch(input, init);
  if (response.status === 401 && me !== null) {
    forget();
    onEnded(endedNotice(await refusalReason(response)));
  }
  return response;
};

export const client = (): Client =>
  createClient({ baseUrl: "", token: () => token() ?? "", credentials: "same-origin", fetch: watchedFetch });

/**
 * Asks the service who is signed in (the token, else the cookie). Returns the user, or the notice for
 * the sign-in screen (null when nobody had signed in).
 */
export async function loadSession(): Promise<{ user: Me } | { user: null; notice: string | null }> {
  const stored = token();
  const response = await fetch("/auth/me", {
    credentials: "same-origin",
    headers: stored ? { Authorization: `Bearer ${stored}` } : {},
  });
  if (response.ok) {
    me = (await response.json()) as Me;
    if (!stored) localStorage.setItem(COOKIE_SESSION, "1");
    return { user: me };
  }
  if (response.status !== 401) throw new Error(`Could not check the sign-in: ${await refusalReason(response)}`);
  const hadSession = forget();
  return { user: null, notice: hadSession ? endedNotice(await refusalReason(response)) : null };
}

export async function signOut(): Promise<void> {
  if (!token()) await fetch("/auth/logout", { method: "POST", credentials: "same-origin" }).catch(() => undefined);
  localStorage.removeItem(KEY);
  localStorage.removeItem(COOKIE_SESSION);
  location.hash = "#/";
  location.reload();
}

/** Whether the service signs people in with an OpenID provider (GET /auth/config). */
async function oidcConfigured(): Promise<boolean> {
  const response = await fetch("/auth/config").catch(() => null);
  if (!response?.ok) return false;
  return ((await response.json()) as { oidc?: boolean }).oidc === true;
}

/**
 * The sign-in screen: the school account when the service has a provider, and an access token (pasted,
 * or the local dev token when the server offers one). `notice` says why a session ended.
 */
export async function renderSignIn(notice: string | null = null): Promise<void> {
  const field = h("textarea", { id: "token", "aria-describedby": "token-help", autocomplete: "off" });
  const error = h("p", { class: "error", role: "alert" });
  const save = (value: string) => {
    localStorage.setItem(KEY, value.trim());
    location.reload();
  };
  const school = h("p", { class: "actions", hidden: true });
  const form = h(
    "form",
    {
      onsubmit: (event: Event) => {
        event.preventDefault();
        if (field.value.trim()) save(field.value);
        else error.textContent = "Paste a token first.";
      },
    },
    h("h1", {}, "Sign in"),
    notice ? h("p", { class: "error", role: "alert", id: "sign-in-notice" }, notice) : null,
    school,
    h("label", { for: "token" }, "Access token"),
    h("p", { id: "token-help", class: "meta" }, "A JWT from your school's sign-in. Locally: npm run token -- <user>."),
    field,
    error,
    h("div", { class: "actions" }, h("button", { class: "primary", type: "submit" }, "Sign in")),
  );
  show(form);
  const [oidc, dev] = await Promise.all([oidcConfigured(), fetch("/dev/token?user=demo-user").catch(() => null)]);
  if (oidc) {
    // Back to where the reader was: the hash names the view (the server takes same-origin paths only).
    const returnTo = `/${location.hash}`;
    school.append(
      h(
        "a",
        { class: "button primary", href: `/auth/login?returnTo=${encodeURIComponent(returnTo)}` },
        "Sign in with your school account",
      ),
    );
    school.hidden = false;
  }
  if (dev?.ok) {
    const { token: devToken } = (await dev.json()) as { token: string };
    form
      .querySelector("div.actions")
      ?.append(h("button", { type: "button", onclick: () => save(devToken) }, "Use a local dev token"));
  }
}
