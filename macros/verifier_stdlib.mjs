// Build-time launcher (Node): the standard library of « Vérifier un fichier d'appel »'s worker,
// trimmed and compiled to .pyc by Pyodide's own CPython, as macros/stdlib_compile.mjs does for
// the calculators (its step 1 only: no memory snapshot).
//
//   node macros/verifier_stdlib.mjs <node_modules/pyodide> <verifier.zip> <stdlib.zip> <entry module>…
//
// Prints one line of JSON on stdout: {"modules", "of", "bytes", "python"}. Called by
// macros/verifier.py, which caches the result and ships Pyodide's stock library when this fails.

import { readFile, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const [pyodideDir, bundlePath, stdlibPath] = process.argv.slice(2, 5).map((path) => resolve(path));
const entryPoints = process.argv.slice(5);
process.on("uncaughtException", fail);
process.on("unhandledRejection", fail);

function fail(error) {
  process.stderr.write(`verifier_stdlib: ${error?.message ?? error}\n`);
  process.exit(1);
}

const quiet = { stdout: (text) => process.stderr.write(`${text}\n`), stderr: (text) => process.stderr.write(`${text}\n`) };
const { loadPyodide } = await import(pathToFileURL(`${pyodideDir}/pyodide.mjs`).href);
const compiler = await loadPyodide({ indexURL: `${pyodideDir}/`, ...quiet });
compiler.FS.writeFile("/tmp/verifier.zip", await readFile(bundlePath));
compiler.runPython(await readFile(new URL("./stdlib_compile.py", import.meta.url), "utf8"));
compiler.globals.set("ENTRY_POINTS", compiler.toPy(entryPoints));
const report = compiler.runPython('import json; json.dumps(main("/tmp/verifier.zip", "/tmp/stdlib.zip", list(ENTRY_POINTS)))');
await writeFile(stdlibPath, compiler.FS.readFile("/tmp/stdlib.zip"));
process.stdout.write(`${report}\n`);
