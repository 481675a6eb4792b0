// Runs before `npm start` and `npm test` (prestart/pretest): a clear message on an unsupported Node,
// instead of a native-module ABI crash further in. Plain JS so that it runs on any Node.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  console.error(
    `whisper-server needs Node.js 24 or newer; this is ${process.version}.\n` +
      '  bash scripts/setup.sh installs Node 24 from the npm registry (as root into /usr/local, else ~/.local),\n' +
      '  then run npm ci again so the native modules are built for it.',
  );
  process.exit(1);
}
