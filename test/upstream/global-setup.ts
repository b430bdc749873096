// Vitest global setup: starts the scripted upstream for the whole run and provides its URL.
import type { TestProject } from "vitest/node";
import { ScriptedUpstream } from "./server";

declare module "vitest" {
  export interface ProvidedContext {
    upstreamUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const upstream = new ScriptedUpstream();
  project.provide("upstreamUrl", await upstream.start());
  return () => upstream.stop();
}
