/**
 * Multipart uploads for routes marked `config.upload`: every file part is streamed to its own
 * file in a per-request temp directory (never named after the client's filename), the fields
 * are assembled and coerced against the route's zod body schema, and the directory is removed
 * when the reply is sent, or when the connection closes, whichever comes first.
 */
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import multipart from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { z } from 'zod';
import { decodeWhileUploading, type EarlyDecode } from '../../audio/early-decode.js';
import type { AudioDecoder } from '../../audio/types.js';
import { ApiError, errors } from '../../errors.js';
import { assembleForm } from '../form-fields.js';
import { coerceObject, type UploadedFile } from '../schemas/form.js';

export interface UploadsOptions {
  maxUploadBytes: number;
  tmpDir: string;
  /** For routes with `upload.decodeEarly`: decodes each file part while it arrives (audio/early-decode.ts). */
  earlyDecode?: { decoder: AudioDecoder; maxDurationSeconds: number };
}

/**
 * The largest text field: known_speaker_references[] carry up to 10 s of audio as a base64 data
 * URL (48 kHz 16-bit stereo WAV: 2.6 MB).
 */
export const MAX_FIELD_BYTES = 4 << 20;
/** All text fields together: four references and the rest, so 200 fields cannot hold 800 MB in memory. */
export const MAX_FIELDS_TOTAL_BYTES = 5 * MAX_FIELD_BYTES;

export default fp<UploadsOptions>(
  async (app, opts) => {
    // A TMP_DIR that does not exist yet (a fresh volume) should not turn every upload into a 500.
    await fs.mkdir(opts.tmpDir, { recursive: true });
    await app.register(multipart, {
      throwFileSizeLimit: true,
      // fields: up to 100 keywords[], 20 languages[] and 8 known-speaker entries besides the other fields.
      limits: { fileSize: opts.maxUploadBytes, fieldSize: MAX_FIELD_BYTES, fields: 200, parts: 1100, headerPairs: 100 },
    });
    app.decorateRequest('uploadDir', null);
    // The decodes started while files arrived: stopped when the request ends, read or not.
    const earlyDecodes = new WeakMap<FastifyRequest, EarlyDecode[]>();

    const cleanup = async (request: FastifyRequest) => {
      earlyDecodes.get(request)?.forEach((d) => d.cancel());
      earlyDecodes.delete(request);
      const dir = request.uploadDir;
      if (!dir) return;
      request.uploadDir = null;
      await fs.rm(dir, { recursive: true, force: true });
    };

    app.addHook('onRequest', async (request, reply) => {
      if (!request.routeOptions.config?.upload) return;
      // Refuse other bodies before Fastify parses them (a broken JSON body is still a 415 here).
      const type = request.headers['content-type'];
      if (!type || !/^multipart\/form-data\b/i.test(type)) throw errors.unsupportedMediaType(type);
      reply.raw.once('close', () => void cleanup(request).catch(() => {}));
    });
    // onSend runs before the first byte goes out, so a client that got its reply never sees
    // the spool directory still there (tests rely on it, so does a full disk).
    app.addHook('onSend', async (request) => {
      await cleanup(request);
    });

    app.addHook('preValidation', async (request) => {
      const policy = request.routeOptions.config?.upload;
      if (!policy) return;
      if (!request.isMultipart()) throw errors.unsupportedMediaType(request.headers['content-type']);
      request.uploadDir = await fs.mkdtemp(path.join(opts.tmpDir, 'whisper-upload-'));
      if (request.clientSignal.aborted) throw errors.aborted();

      const entries: [string, unknown][] = [];
      const maxBytes = policy.maxBytes ?? opts.maxUploadBytes;
      try {
        let n = 0;
        let fieldBytes = 0;
        for await (const part of request.parts({ limits: { files: policy.maxFiles, fileSize: maxBytes } })) {
          if (part.type === 'field') {
            // busboy cuts an over-long value silently; a cut data URL would fail later as "not audio".
            if (part.valueTruncated) {
              throw errors.invalidRequest(`Form field '${part.fieldname}' is longer than ${MAX_FIELD_BYTES} bytes.`, part.fieldname.replace(/\[.*$/, ''), 'field_too_large');
            }
            fieldBytes += typeof part.value === 'string' ? part.value.length : 0;
            if (fieldBytes > MAX_FIELDS_TOTAL_BYTES) {
              throw errors.invalidRequest(`The form's text fields exceed ${MAX_FIELDS_TOTAL_BYTES} bytes together.`, null, 'fields_too_large');
            }
            entries.push([part.fieldname, part.value]);
            continue;
          }
          const file = path.join(request.uploadDir, `upload-${n++}`);
          const early = policy.decodeEarly && opts.earlyDecode ? decodeWhileUploading(opts.earlyDecode.decoder, part.file, opts.earlyDecode) : undefined;
          if (early) earlyDecodes.set(request, [...(earlyDecodes.get(request) ?? []), early]);
          await pipeline(part.file, createWriteStream(file));
          if (part.file.truncated) throw errors.fileTooLarge(maxBytes);
          const upload: UploadedFile = {
            fieldname: part.fieldname,
            filename: displayName(part.filename),
            mimetype: part.mimetype,
            path: file,
            size: (await fs.stat(file)).size,
            ...(early ? { decoded: early.result } : {}),
          };
          entries.push([policy.anyFileField ? 'file' : part.fieldname, upload]);
        }
      } catch (err) {
        throw multipartError(err, maxBytes, policy.maxFiles);
      }
      const schema = request.routeOptions.schema?.body as z.ZodObject | undefined;
      const form = assembleForm(entries);
      request.body = schema ? coerceObject(schema, form) : form;
    });
  },
  { name: 'uploads', fastify: '5.x', dependencies: ['request-context'] },
);

/** The client's name for the file, for replies and logs only: last path component, no controls. */
export function displayName(filename: string | undefined): string {
  const base = (filename ?? '').replace(/\\/g, '/').split('/').pop() ?? '';
  // eslint-disable-next-line no-control-regex
  return base.replace(/[\u0000-\u001f\u007f]/g, '').slice(0, 255) || 'file';
}

function multipartError(err: unknown, maxBytes: number, maxFiles: number): ApiError {
  if (err instanceof ApiError) return err;
  const e = err as NodeJS.ErrnoException;
  switch (e?.code) {
    case 'FST_REQ_FILE_TOO_LARGE':
      return errors.fileTooLarge(maxBytes);
    case 'FST_FILES_LIMIT':
      return errors.tooManyFiles(maxFiles);
    case 'FST_MP_PREMATURE_CLOSE':
      return errors.aborted();
  }
  // Disk trouble while spooling is ours, not the client's.
  if (e?.syscall) return errors.internal(err);
  return errors.invalidMultipart(e?.message ?? String(err), err);
}
