// The copy of each user's profile that reports join to name people (user_profiles), written by the
// user's account object whenever the profile changes there.
import { sql } from "drizzle-orm";
import type { Database } from "./client";
import { userProfiles } from "./schema";

export interface UserProfileCopy {
  userId: string;
  email: string | null;
  name: string | null;
  /** When the profile last changed in the account (epoch ms). */
  updatedAt: number;
}

/** Writes the copy; an older one (a late retry) never overwrites a newer one. */
export async function saveUserProfile(db: Database, profile: UserProfileCopy): Promise<void> {
  await db
    .insert(userProfiles)
    .values(profile)
    .onConflictDoUpdate({
      target: userProfiles.userId,
      set: { email: profile.email, name: profile.name, updatedAt: profile.updatedAt },
      setWhere: sql`${userProfiles.updatedAt} <= ${profile.updatedAt}`,
    });
}
