import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// Tests import workspace packages from their sources, so a package's tests never wait on (or run
// against a stale) build of its dependencies. Published builds are exercised by the CLI and the
// plugin example, which import the built packages.
const packagesDir = fileURLToPath(new URL('./packages/', import.meta.url));
export const workspaceAlias: Record<string, string> = Object.fromEntries(
  readdirSync(packagesDir).map((name) => [`@krylov/${name}`, `${packagesDir}${name}/src/index.ts`]),
);
