import { expect, it } from 'vitest';
import { LocalFileStorage } from '../../shared/storage/local-storage.js';
import { fileStorageContract } from '../support/file-storage-contract.js';
import { tempDir } from '../support/temp-dir.js';

fileStorageContract('LocalFileStorage', async () => new LocalFileStorage(await tempDir()), {
  atomicRaces: true,
});

it('LocalFileStorage refuses keys that leave its root', async () => {
  const storage = new LocalFileStorage(await tempDir());
  await expect(storage.put('../escape', 'x')).rejects.toThrow(/leaves the storage root/);
});
