// Runs before `npm pack`/`npm publish` of a workspace package (its `prepack` script, in the
// package's folder): `node ../../scripts/prepack.mjs <file>...` names the files of the build the
// package needs. It fails when one is missing (build first: `npm run build` at the root), and
// deletes the .js files in dist/ that no named file reaches through relative imports: the
// CLI's dist/ is not cleaned between builds, and the package ships only what the current build
// runs.
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

const required = process.argv.slice(2);
const missing = required.filter((f) => !existsSync(f));
if (required.length === 0 || missing.length > 0) {
  console.error(
    `prepack: missing ${missing.join(', ') || 'arguments'}; run npm run build at the repository root first`,
  );
  process.exit(1);
}

/** Every dist/*.js reachable from the named .js files through "./x.js" specifiers. */
function reachable(entries) {
  const seen = new Set();
  const todo = entries.filter((f) => f.startsWith('dist/') && !f.slice(5).includes('/') && f.endsWith('.js'));
  while (todo.length > 0) {
    const file = todo.pop();
    if (seen.has(file) || !existsSync(file)) continue;
    seen.add(file);
    for (const m of readFileSync(file, 'utf8').matchAll(/["']\.\/([\w.-]+\.js)["']/g))
      todo.push(join(dirname(file), m[1]));
  }
  return seen;
}

const keep = reachable(required);
let removed = 0;
for (const name of readdirSync('dist')) {
  if (!name.endsWith('.js') || keep.has(join('dist', name))) continue;
  rmSync(join('dist', name));
  rmSync(join('dist', `${name}.map`), { force: true });
  removed += 1;
}
if (removed > 0)
  console.error(`prepack: removed ${removed} file(s) of earlier builds from ${basename(process.cwd())}/dist`);
