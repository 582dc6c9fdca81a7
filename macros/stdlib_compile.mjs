// Build-time launcher (Node): prepares, with Pyodide itself, what the browser worker mounts.
//
//   node macros/stdlib_compile.mjs <node_modules/pyodide> <calculators.zip> <stdlib.zip> <snapshot.bin> <lock-info.json> <package dir>
//
// 1. Runs macros/stdlib_compile.py inside Pyodide: the standard library, trimmed and compiled
//    to .pyc by Pyodide's own CPython, written to <stdlib.zip>.
// 2. Starts a second Pyodide on that standard library, as the worker does (same options, no
//    package), unpacks <calculators.zip> into <package dir> and imports the calculators as the
//    worker's GLUE does, then writes its memory — a memory snapshot, gzip-compressed — to
//    <snapshot.bin>. The worker restores it instead of starting Python from scratch: the ~150
//    imports of Pyodide's own start-up and the compilation of the calculators are skipped.
//    The snapshot holds the calculators' code as imported from those very sources (its name
//    changes with them) and no data: no vocabulary, no call.
//
// Prints one line of JSON on stdout: {"modules", "of", "bytes", "python", "snapshot_bytes"}.
// Called by macros/runtime.py (compiled_stdlib), which caches the results; nothing here runs
// in a page.

import { readFile, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";

const [pyodideDir, bundlePath, stdlibPath, snapshotPath, lockInfoPath] = process.argv.slice(2, 7).map((path) => resolve(path));
const packageDir = process.argv[7]; // a path in Pyodide's file system, the worker's PACKAGE_DIR
process.on("uncaughtException", fail);
process.on("unhandledRejection", fail);

function fail(error) {
  // Only the message: Node would otherwise print the line of the minified Pyodide that threw.
  process.stderr.write(`stdlib_compile: ${error?.message ?? error}\n`);
  process.exit(1);
}

const quiet = { stdout: (text) => process.stderr.write(`${text}\n`), stderr: (text) => process.stderr.write(`${text}\n`) };
const { loadPyodide } = await import(pathToFileURL(`${pyodideDir}/pyodide.mjs`).href);

// 1. The compiled standard library.
const compiler = await loadPyodide({ indexURL: `${pyodideDir}/`, ...quiet });
compiler.FS.writeFile("/tmp/calculators.zip", await readFile(bundlePath));
compiler.runPython(await readFile(new URL("./stdlib_compile.py", import.meta.url), "utf8"));
const report = JSON.parse(compiler.runPython('import json; json.dumps(main("/tmp/calculators.zip", "/tmp/stdlib.zip"))'));
await writeFile(stdlibPath, compiler.FS.readFile("/tmp/stdlib.zip"));

// 2. The snapshot of a Pyodide started on it, with the options of docs/assets/calculateurs/worker.js.
const started = await loadPyodide({
  indexURL: `${pyodideDir}/`,
  stdLibURL: stdlibPath,
  lockFileContents: { info: JSON.parse(await readFile(lockInfoPath, "utf8")), packages: {} },
  packages: [],
  _makeSnapshot: true,
  // Under Node, Emscripten names the program after this file (a path of the build machine,
  // which would end up in the image as sys.executable and $_): the browser's name instead.
  _sysExecutable: "./this.program",
  ...quiet,
});
started.unpackArchive(new Uint8Array(await readFile(bundlePath)), "zip", { extractDir: packageDir });
// Every module of the package, not only the entry point: the rule kinds are imported on the
// first call loaded, which would otherwise compile them then (a few hundred ms in a browser).
started.runPython(`import sys\nif ${JSON.stringify(packageDir)} not in sys.path: sys.path.insert(0, ${JSON.stringify(packageDir)})
import importlib, os, calculators.api
for folder, _, names in os.walk(calculators.__path__[0]):
    for name in sorted(names):
        if name.endswith(".py") and name != "__main__.py":
            path = os.path.relpath(os.path.join(folder, name[:-3]), ${JSON.stringify(packageDir)})
            importlib.import_module(path.replace(os.sep, ".").removesuffix(".__init__"))
del importlib, os, folder, names, name, path
`);
const snapshot = gzipSync(started.makeMemorySnapshot(), { level: 9 });
await writeFile(snapshotPath, snapshot);
report.snapshot_bytes = snapshot.length;
process.stdout.write(`${JSON.stringify(report)}\n`);
