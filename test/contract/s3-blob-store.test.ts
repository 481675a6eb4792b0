import os from 'node:os';
import { ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { readdir } from 'node:fs/promises';
import { S3BlobStore } from '../../src/storage/s3-blob-store.js';
import { createS3Client } from '../../src/storage/s3-client.js';
import { startMoto } from '../support/moto.js';
import { blobStoreContract } from './blob-store.contract.js';

blobStoreContract('s3 (moto server)', async () => {
  const moto = await startMoto();
  await moto.createBucket('contract');
  const client = createS3Client({ S3_ENDPOINT: moto.endpoint, S3_FORCE_PATH_STYLE: true });
  const store = new S3BlobStore({ client, bucket: 'contract', prefix: 'whisper', tmpDir: os.tmpdir() });
  const tmpBefore = new Set(await readdir(os.tmpdir()));
  return {
    store,
    // Unfinished multipart uploads, and openLocal copies that outlived a failure.
    leftovers: async () => {
      const res = await client.send(new ListMultipartUploadsCommand({ Bucket: 'contract' }));
      const copies = (await readdir(os.tmpdir())).filter((f) => f.startsWith('blob-') && !tmpBefore.has(f));
      return [...(res.Uploads ?? []).map((u) => `upload:${u.Key}`), ...copies];
    },
    dispose: async () => {
      await store.close();
      await moto.stop();
    },
  };
});
