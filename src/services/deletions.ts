// Deleting records (SPEC §13): one execution, everything of the caller, an administrator's purge of a
// user. The owner's account runs each (durable/account-deletion.ts): hidden from every read at once,
// erased from the run's object, R2 and D1 (its spending entry and the audit row stay).
import { notFound } from "../lib/errors";
import { userAccount } from "./accounts";

export class DeletionService {
  constructor(private readonly env: Env) {}

  /** Deletes the caller's execution (a live one is canceled first); `not_found` for anyone else's or a deleted one. */
  async deleteExecution(userId: string, executionId: string): Promise<void> {
    if (!(await userAccount(this.env, userId).deleteExecution(userId, executionId, userId)))
      throw notFound("Execution");
  }

  /** Deletes everything the caller has: answered at once, erased in batches; reads of it are 404 from now on. */
  async deleteMyData(userId: string): Promise<void> {
    await userAccount(this.env, userId).deleteAllData(userId, { actor: userId, action: "user.data_deleted" });
  }

  /** An administrator deletes everything a user has (audited as a purge). */
  async purgeUser(adminId: string, userId: string): Promise<void> {
    await userAccount(this.env, userId).deleteAllData(userId, { actor: adminId, action: "admin.purged" });
  }
}
