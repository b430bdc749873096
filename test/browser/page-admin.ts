// The dev-token user the browser stack lists in ADMINS (global-setup.ts), for the administrators' screens.
export const PAGE_ADMIN = "page-admin";
