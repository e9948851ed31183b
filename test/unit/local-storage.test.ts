import { describe, expect, it } from 'vitest';
import { StorageNotFoundError } from '../../shared/storage/file-storage.js';
import { LocalFileStorage } from '../../shared/storage/local-storage.js';
import { tempDir } from '../support/temp-dir.js';

// The FileStorage contract; the S3 implementation will run the same cases against moto.
describe('LocalFileStorage', () => {
  it('creates an object only if absent, exactly once among racing writers', async () => {
    const storage = new LocalFileStorage(await tempDir());
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => storage.putIfAbsent('p/_stage/loaded', `writer ${i}`)),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = results.indexOf(true);
    expect((await storage.get('p/_stage/loaded'))!.body.toString()).toBe(`writer ${winner}`);
  });

  it('swaps only when the version still matches, so concurrent updates lose nothing', async () => {
    const storage = new LocalFileStorage(await tempDir());
    await storage.put('counter', '0');
    const increment = async () => {
      for (;;) {
        const current = (await storage.get('counter'))!;
        const next = String(Number(current.body.toString()) + 1);
        if (await storage.putIfMatch('counter', next, current.etag)) return;
      }
    };
    await Promise.all(Array.from({ length: 10 }, increment));
    expect((await storage.get('counter'))!.body.toString()).toBe('10');
    expect(await storage.putIfMatch('counter', 'x', 'stale-etag')).toBe(false);
    expect(await storage.putIfMatch('fresh', 'x', undefined)).toBe(true);
    expect(await storage.putIfMatch('fresh', 'y', undefined)).toBe(false);
  });

  it('streams bodies in, lists by prefix with sizes, and deletes', async () => {
    const storage = new LocalFileStorage(await tempDir());
    async function* chunks() {
      yield Buffer.from('hello ');
      yield Buffer.from('world');
    }
    expect(await storage.putStream('a/b/one.txt', chunks())).toBe(11);
    await storage.put('a/two.txt', 'x');
    await storage.put('b/three.txt', 'y');

    expect(await storage.list('a/')).toEqual([
      { key: 'a/b/one.txt', size: 11 },
      { key: 'a/two.txt', size: 1 },
    ]);
    await storage.delete(['a/two.txt']);
    expect((await storage.list('a/')).map((o) => o.key)).toEqual(['a/b/one.txt']);
    expect(await storage.get('missing')).toBeUndefined();
    await expect(storage.getStream('missing')).rejects.toThrow(StorageNotFoundError);
  });

  it('refuses keys that leave its root', async () => {
    const storage = new LocalFileStorage(await tempDir());
    await expect(storage.put('../escape', 'x')).rejects.toThrow(/leaves the storage root/);
  });
});
