/**
 * Known speakers' reference clips arrive as data URLs; the decoder reads files (ffmpeg must
 * seek in some containers), so they are written into the request's spool directory, which
 * the uploads plugin removes with everything else when the reply is sent.
 */
import fs from 'node:fs/promises';
import path from 'node:path';

export async function spoolReferences(
  dir: string | null,
  speakers: readonly { name: string; bytes: Buffer }[],
): Promise<{ name: string; filePath: string }[]> {
  if (!speakers.length) return [];
  if (!dir) throw new Error('reference clips need the request spool directory');
  return Promise.all(
    speakers.map(async (s, i) => {
      const filePath = path.join(dir, `reference-${i}`);
      await fs.writeFile(filePath, s.bytes);
      return { name: s.name, filePath };
    }),
  );
}
