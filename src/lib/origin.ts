// The Origin rule for cookie-authenticated requests (SPEC §14): a browser sends Origin with every unsafe
// request, so one from a page that is not ours (or none at all) is a cross-site request to refuse.

/** Methods that change something: these need an allowed Origin when a cookie authenticates them. */
export const UNSAFE_METHODS: ReadonlySet<string> = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/**
 * Whether `origin` is the service's own (the request URL's) or listed in CORS_ORIGINS. A missing
 * Origin and `"null"` never are; `*` in CORS_ORIGINS opens CORS for Bearer clients, not cookies.
 */
export function originAllowed(requestUrl: string, origin: string | undefined, corsOrigins: readonly string[]): boolean {
  if (!origin || origin === "null") return false;
  return origin === new URL(requestUrl).origin || corsOrigins.includes(origin);
}
