// The signed-in token (kept in localStorage) and the API client built from it.
import { type Client, createClient } from "../src/client";
import { h, show } from "./dom";

const KEY = "aas.token";

export const token = () => localStorage.getItem(KEY);

export function signOut(): void {
  localStorage.removeItem(KEY);
  location.hash = "#/";
  location.reload();
}

export const client = (): Client => createClient({ baseUrl: "", token: () => token() ?? "" });

/** The sign-in form: paste a token, or take a local dev token when the server offers one. */
export async function renderSignIn(): Promise<void> {
  const field = h("textarea", { id: "token", "aria-describedby": "token-help", autocomplete: "off" });
  const error = h("p", { class: "error", role: "alert" });
  const save = (value: string) => {
    localStorage.setItem(KEY, value.trim());
    location.reload();
  };
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
    h("label", { for: "token" }, "Access token"),
    h("p", { id: "token-help", class: "meta" }, "A JWT from your school's sign-in. Locally: npm run token -- <user>."),
    field,
    error,
    h("div", { class: "actions" }, h("button", { class: "primary", type: "submit" }, "Sign in")),
  );
  show(form);
  const dev = await fetch("/dev/token?user=demo-user").catch(() => null);
  if (dev?.ok) {
    const { token: devToken } = (await dev.json()) as { token: string };
    form
      .querySelector(".actions")
      ?.append(h("button", { type: "button", onclick: () => save(devToken) }, "Use a local dev token"));
  }
}
