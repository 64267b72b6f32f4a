import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// Tests import workspace packages from their sources, so a package's tests never wait on (or run
// against a stale) build of its dependencies. Published builds are exercised by the CLI and the
// plugin example, which import the built packages.
//
// `@krylov/<pkg>` maps to `src/index.ts`, and every subpath entry of the package's `exports` map
// (`@krylov/core-array/internal`) to `src/<sub>.ts`, as tsup builds them; subpaths come first,
// since an alias also matches the imports that start with `<alias>/`.
const packagesDir = fileURLToPath(new URL('./packages/', import.meta.url));

function subpaths(name: string): string[] {
  const manifest = `${packagesDir}${name}/package.json`;
  if (!existsSync(manifest)) return [];
  const exports = JSON.parse(readFileSync(manifest, 'utf8')).exports ?? {};
  return Object.keys(exports)
    .filter((k) => k.startsWith('./') && k !== './package.json')
    .map((k) => k.slice(2));
}

const names = readdirSync(packagesDir);
export const workspaceAlias: Record<string, string> = Object.fromEntries([
  ...names.flatMap((name) =>
    subpaths(name).map((sub) => [`@krylov/${name}/${sub}`, `${packagesDir}${name}/src/${sub}.ts`]),
  ),
  ...names.map((name) => [`@krylov/${name}`, `${packagesDir}${name}/src/index.ts`]),
]);
