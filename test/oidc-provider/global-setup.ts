// Vitest global setup: the real OpenID provider and the rogue one on loopback, for the workerd tests.
import type { TestProject } from "vitest/node";
import { TEST_REDIRECT_URIS } from "./accounts.ts";
import { startTestProvider } from "./provider.ts";
import { startRogueProvider } from "./rogue-provider.ts";

declare module "vitest" {
  export interface ProvidedContext {
    oidcIssuer: string;
    rogueIssuer: string;
  }
}

export default async function setup(project: TestProject) {
  const provider = await startTestProvider(TEST_REDIRECT_URIS);
  const rogue = await startRogueProvider();
  project.provide("oidcIssuer", provider.issuer);
  project.provide("rogueIssuer", rogue.issuer);
  return async () => {
    await provider.stop();
    await rogue.stop();
  };
}
