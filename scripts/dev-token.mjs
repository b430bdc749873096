// Prints an HS256 dev token signed with JWT_SECRET from .dev.vars (jose): `npm run token -- <userId> [hours]`.
import { readFileSync } from "node:fs";
import { SignJWT } from "jose";

const vars = Object.fromEntries(
  readFileSync(existsOr(".dev.vars", ".dev.vars.example"), "utf8")
    .split("\n")
    .filter((line) => /^\s*[A-Z_]+\s*=/.test(line))
    .map((line) => {
      const at = line.indexOf("=");
      return [
        line.slice(0, at).trim(),
        line
          .slice(at + 1)
          .trim()
          .replace(/^"(.*)"$/, "$1"),
      ];
    }),
);

function existsOr(path, fallback) {
  try {
    readFileSync(path);
    return path;
  } catch {
    return fallback;
  }
}

const userId = process.argv[2] ?? "demo-user";
const hours = Number(process.argv[3] ?? 12);
const secret = process.env.JWT_SECRET ?? vars.JWT_SECRET;
if (!secret) {
  console.error("No JWT_SECRET in the environment or .dev.vars");
  process.exit(1);
}
const now = Math.floor(Date.now() / 1000);
const token = await new SignJWT()
  .setProtectedHeader({ alg: "HS256", typ: "JWT" })
  .setSubject(userId)
  .setIssuedAt(now)
  .setExpirationTime(now + hours * 3600)
  .sign(new TextEncoder().encode(secret));
console.log(token);
