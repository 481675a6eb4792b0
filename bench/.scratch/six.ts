import { sixMinuteFile } from '../lib/long-files.js';
console.log(sixMinuteFile());
