import { chooseAddon } from '../../src/engine/cpu-variant.js';
console.log(chooseAddon('/work/main/node_modules/smart-whisper/build/Release/smart-whisper.node'));
