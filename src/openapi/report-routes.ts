// Usage reports and the administrators' routes (SPEC §14), described for the API reference.
import { adminUsageQuery, auditQuery, idParam, usageQuery } from "../schemas/api";
import type { RouteDoc } from "./route-doc";

const ROW = "`{key, label?, executions, completed, failed, inputTokens, outputTokens, costMicros}`";
const USAGE_DESCRIPTION =
  "Read from the spending entries (one per ended execution and model, kept when executions are deleted). Days are UTC; `from` and `to` are included and default to the 30 days ending today; at most 366 days. An execution counts on the day it was created; grouped by model, a run counts once under each model it used, with the tokens and cost of its prompts on that model. `completed` counts completed runs, `failed` failed and timed-out ones; canceled runs count in `executions` only. `format=csv`: the same rows as a CSV download with a header line.";
const ADMINS_ONLY = "Administrators only (ADMINS); anyone else gets the unknown-route 404.";

export const REPORT_ROUTES: RouteDoc[] = [
  {
    method: "get",
    path: "/api/usage",
    tag: "Usage",
    summary: "The caller's own usage per day, tool or model",
    description: USAGE_DESCRIPTION,
    auth: "bearer",
    query: usageQuery,
    responses: {
      200: `\`{from, to, groupBy, rows: [${ROW}]}\`, or text/csv with format=csv`,
      400: "A bad date, from after to, or more than 366 days (the field named)",
    },
  },
  {
    method: "get",
    path: "/api/admin/usage",
    tag: "Administration",
    summary: "Everyone's usage per user, tool, model or day",
    description: `${ADMINS_ONLY} ${USAGE_DESCRIPTION} Grouped by user, \`label\` is the user's name and email as their last sign-in or token gave them.`,
    auth: "admin",
    query: adminUsageQuery,
    responses: {
      200: `\`{from, to, groupBy, rows: [${ROW}]}\`, or text/csv with format=csv`,
      400: "A bad date, from after to, or more than 366 days (the field named)",
      404: "Not an administrator",
    },
  },
  {
    method: "get",
    path: "/api/admin/audit",
    tag: "Administration",
    summary: "The audit trail, newest first: deletions, purges, changes of shared tools, admin reads",
    description: `${ADMINS_ONLY} \`action\` is one of execution.deleted, user.data_deleted, retention.deleted, admin.purged, tool.shared_changed, admin.read. Pass \`nextCursor\` as \`cursor\` for the next page (null: none).`,
    auth: "admin",
    query: auditQuery,
    responses: {
      200: "`{items: [{at, actor, action, target: {type, id}}], nextCursor}`",
      400: "Invalid cursor or limit",
      404: "Not an administrator",
    },
  },
  {
    method: "get",
    path: "/api/admin/executions/:id",
    tag: "Administration",
    summary: "Any user's execution, as its owner reads it, with `ownerId`; recorded in the audit trail",
    description: `${ADMINS_ONLY} Reading another user's execution writes an \`admin.read\` audit row before the record is returned.`,
    auth: "admin",
    params: idParam,
    responses: { 200: "The record and `ownerId`", 404: "No such execution, or not an administrator" },
  },
];
