"use strict";
// npm runs every package's preinstall before any package's install script, and it extracts all
// packages before either. A packed (non-linked) dependency's preinstall is therefore the one place
// where patches can land before smart-whisper's own `node-gyp rebuild` compiles whisper.cpp.
// The project root's own scripts run only after dependencies are built: too late.
const path = require("node:path");
const { execFileSync } = require("node:child_process");

// <root>/node_modules/@whisper-server/apply-patches
const root = path.resolve(__dirname, "..", "..", "..");
const bin = path.join(root, "node_modules", "patch-package", "index.js");

execFileSync(process.execPath, [bin, "--error-on-fail"], { cwd: root, stdio: "inherit" });
