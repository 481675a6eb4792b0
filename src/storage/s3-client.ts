/**
 * The one place an S3 client is built. Credentials always come from the standard AWS chain
 * (env keys, web identity for IRSA, the instance/pod metadata, or HMAC keys for GCS interop), never
 * from our own config. Checksums are only computed where an operation requires them: S3-compatible
 * servers (GCS, MinIO, older Ceph) reject or mishandle the SDK's default CRC32 trailers.
 */
import { S3Client } from '@aws-sdk/client-s3';

export interface S3Settings {
  S3_ENDPOINT?: string;
  S3_REGION?: string;
  S3_FORCE_PATH_STYLE: boolean;
}

export function createS3Client(s: S3Settings): S3Client {
  return new S3Client({
    // Without a region the SDK reads AWS_REGION itself; a custom endpoint (MinIO, moto) rarely cares.
    region: s.S3_REGION ?? (s.S3_ENDPOINT ? 'us-east-1' : undefined),
    endpoint: s.S3_ENDPOINT,
    forcePathStyle: s.S3_FORCE_PATH_STYLE,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** True for "no such object/bucket" answers, which callers treat as absence, not failure. */
export function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NoSuchKey' || e?.name === 'NotFound' || e?.$metadata?.httpStatusCode === 404;
}
