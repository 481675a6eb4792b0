"use strict";
// npm runs every package's preinstall before any package's install script, and it extracts all
// packages before either. A packed (non-linked) dependency's preinstall is therefore the one place
// where work can happen before smart-whisper's own `node-gyp rebuild` compiles its binding.
// The project root's own scripts run only after dependencies are built: too late.
//
// 1. patch-package applies patches/ (smart-whisper's binding: see patches/smart-whisper+0.8.1.patch).
// 2. whisper.cpp v1.9.1 is built once into node_modules/.whisper-native (static libraries and
//    headers), which the patched binding links (its flags.js reads byol.txt there).
//    WHISPER_NATIVE_DIR=<dir with byol.txt> skips this build and links that one instead (the CUDA
//    image builds its own library first); so does npm ci --ignore-scripts followed by this script
//    with WHISPER_NATIVE_SKIP_BUILD=1.
const path = require("node:path");
const { execFileSync } = require("node:child_process");

// <root>/node_modules/@whisper-server/apply-patches
const root = path.resolve(__dirname, "..", "..", "..");
const bin = path.join(root, "node_modules", "patch-package", "index.js");

execFileSync(process.execPath, [bin, "--error-on-fail"], { cwd: root, stdio: "inherit" });

if (!process.env.WHISPER_NATIVE_DIR && process.env.WHISPER_NATIVE_SKIP_BUILD !== "1") {
  const script = path.join(root, "scripts", "native", "build-libwhisper.sh");
  const out = path.join(root, "node_modules", ".whisper-native");
  console.error(`apply-patches: building whisper.cpp v1.9.1 into ${out} (a few minutes, once)`);
  execFileSync("bash", [script, "--out", out], { cwd: root, stdio: "inherit" });
}
