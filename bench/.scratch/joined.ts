import { exactClipsFile } from '../lib/long-files.js';
import { writeFileSync } from 'node:fs';
const j = exactClipsFile(); writeFileSync('/tmp/joined-ref.txt', j.ref); console.log(j.file);
