// The administrators' links in the main navigation (Usage, Audit), shown only to an administrator.
import { h } from "./dom";
import type { Me } from "./session";

/** Adds the links once when `user` is an administrator (GET /auth/me says isAdmin); nothing otherwise. */
export function showAdminLinks(user: Me): void {
  if (!user.isAdmin || document.getElementById("nav-usage")) return;
  document
    .getElementById("sign-out")
    ?.before(
      h("a", { id: "nav-usage", href: "#/usage" }, "Usage"),
      h("a", { id: "nav-audit", href: "#/audit" }, "Audit"),
    );
}
