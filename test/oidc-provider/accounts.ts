// The test identity providers' users and clients, shared by the providers (Node) and the tests (workerd, browser).

/** The claims an account's ID token carries (Google-like `hd`, Entra-like `tid`). */
export interface TestAccount {
  sub: string;
  email?: string;
  email_verified?: boolean;
  name?: string;
  hd?: string;
  tid?: string;
}

export const ALLOWED_DOMAIN = "school.example.edu";
export const ALLOWED_TENANT = "3f0c8c4e-tenant-allowed";

/** Keyed by the login a test (or the browser form) gives the provider; the key is also the `sub`. */
export const ACCOUNTS = {
  "oidc-alice": {
    sub: "oidc-alice",
    email: "alice@school.example.edu",
    email_verified: true,
    name: "Alice Teacher",
  },
  "oidc-bob": { sub: "oidc-bob", email: "bob@school.example.edu", email_verified: true, name: "Bob Staff" },
  /** In the allowed domain and listed in ADMINS by email, but the provider has not verified the email. */
  "oidc-eve": { sub: "oidc-eve", email: "eve@school.example.edu", email_verified: false, name: "Eve Unverified" },
  /** Google Workspace: `hd` is the school's domain, the email an alias domain. */
  "oidc-hana": {
    sub: "oidc-hana",
    email: "hana@students.school-alias.example.edu",
    email_verified: true,
    name: "Hana Student",
    hd: ALLOWED_DOMAIN,
  },
  /** Entra: the allowed tenant, an email outside the allowed domains and no email_verified (Entra sends none). */
  "oidc-tess": { sub: "oidc-tess", email: "tess@partner.example.net", name: "Tess Entra", tid: ALLOWED_TENANT },
  "oidc-tina": {
    sub: "oidc-tina",
    email: "tina@partner.example.net",
    name: "Tina Other Tenant",
    tid: "9d1e2f3a-tenant-other",
  },
  "oidc-mallory": {
    sub: "oidc-mallory",
    email: "mallory@elsewhere.example.org",
    email_verified: true,
    name: "Mallory Outside",
  },
} satisfies Record<string, TestAccount>;

export type AccountLogin = keyof typeof ACCOUNTS;

/** The service's registrations at the providers: a confidential client and a public (PKCE-only) one. */
export const CLIENTS = {
  confidential: { id: "aas-web", secret: "aas-web-secret-0123456789abcdef" },
  public: { id: "aas-public" },
} as const;

/** Redirect URIs every test provider accepts: the workerd tests' Worker (http and https). */
export const TEST_REDIRECT_URIS = ["http://localhost/auth/callback", "https://aas.example.edu/auth/callback"];
