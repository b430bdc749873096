// The attributes of the service's cookies (SPEC §14): HttpOnly, SameSite=Lax, and Secure everywhere but
// plain-http loopback (local development, where a browser would otherwise drop the cookie).
import type { CookieOptions } from "hono/utils/cookie";

/** Plain http on localhost or 127.0.0.1: the one place a cookie goes without Secure. */
export function isLocalHttp(requestUrl: string): boolean {
  const { protocol, hostname } = new URL(requestUrl);
  return protocol === "http:" && (hostname === "localhost" || hostname === "127.0.0.1");
}

/** Options for a cookie that lives `maxAge` seconds on `path` (0 clears it). */
export function cookieOptions(requestUrl: string, path: string, maxAge: number): CookieOptions {
  return { httpOnly: true, secure: !isLocalHttp(requestUrl), sameSite: "Lax", path, maxAge };
}
