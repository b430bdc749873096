// Who may sign in (OIDC_ALLOWED_DOMAINS, OIDC_ALLOWED_TENANTS): when either list is set, an ID token must
// match one entry of one of them; each refusal says why, in words a teacher can act on.

export interface SignInRules {
  /** Lower-cased domains: a verified email's domain, or Google's `hd`. */
  allowedDomains: readonly string[];
  /** Lower-cased Microsoft Entra tenant ids (`tid`). */
  allowedTenants: readonly string[];
}

const lower = (value: unknown): string | undefined =>
  typeof value === "string" && value.length > 0 ? value.toLowerCase() : undefined;

/** Null when the ID token's claims may sign in; otherwise the reason to show on the refusal page. */
export function signInRefusal(rules: SignInRules, claims: Record<string, unknown>): string | null {
  if (rules.allowedDomains.length === 0 && rules.allowedTenants.length === 0) return null;
  const tenant = lower(claims.tid);
  if (tenant && rules.allowedTenants.includes(tenant)) return null;
  // Google sets `hd` only for Workspace accounts, from the account's own domain: it needs no email check.
  const hostedDomain = lower(claims.hd);
  if (hostedDomain && rules.allowedDomains.includes(hostedDomain)) return null;
  const email = typeof claims.email === "string" ? claims.email : undefined;
  const domain = lower(email?.slice(email.lastIndexOf("@") + 1));
  const allowedDomain = domain !== undefined && email?.includes("@") === true && rules.allowedDomains.includes(domain);
  if (allowedDomain && claims.email_verified === true) return null;
  if (allowedDomain)
    return `Your provider has not verified the email address ${email}, so it cannot show that you belong to a school this service accepts. Verify it with your provider, or sign in with your school account.`;
  const who = email ? `The account ${email}` : "This account";
  return `${who} is not from a school or organisation this service accepts. Sign in with your school account.`;
}
