import { describe, expect, it } from 'vitest';
import { type FileStorage, StorageNotFoundError } from '../../shared/storage/file-storage.js';

/**
 * The FileStorage contract, run against every implementation. `atomicRaces` is false where the
 * backing store does not serialise racing conditional writes (moto), so only sequential
 * semantics are asserted there.
 */
export function fileStorageContract(
  name: string,
  make: () => Promise<FileStorage>,
  options: { atomicRaces: boolean },
) {
  describe(`${name}: FileStorage contract`, () => {
    it('creates an object only if absent', async () => {
      const storage = await make();
      expect(await storage.putIfAbsent('p/_stage/loaded', 'first')).toBe(true);
      expect(await storage.putIfAbsent('p/_stage/loaded', 'second')).toBe(false);
      expect((await storage.get('p/_stage/loaded'))!.body.toString()).toBe('first');
    });

    it.skipIf(!options.atomicRaces)(
      'lets exactly one of racing writers create an object (skipped where the store does not serialise races)',
      async () => {
        const storage = await make();
        const results = await Promise.all(
          Array.from({ length: 8 }, (_, i) => storage.putIfAbsent('race', `writer ${i}`)),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
        expect((await storage.get('race'))!.body.toString()).toBe(`writer ${results.indexOf(true)}`);
      },
    );

    it('swaps only when the version still matches', async () => {
      const storage = await make();
      await storage.put('counter', '0');
      const current = (await storage.get('counter'))!;
      expect(await storage.putIfMatch('counter', '1', current.etag)).toBe(true);
      expect(await storage.putIfMatch('counter', 'stale', current.etag)).toBe(false);
      expect((await storage.get('counter'))!.body.toString()).toBe('1');
      expect(await storage.putIfMatch('fresh', 'x', undefined)).toBe(true);
      expect(await storage.putIfMatch('fresh', 'y', undefined)).toBe(false);
    });

    it.skipIf(!options.atomicRaces)(
      'loses no update among concurrent compare-and-swap writers (skipped where the store does not serialise races)',
      async () => {
        const storage = await make();
        await storage.put('counter', '0');
        const increment = async () => {
          for (;;) {
            const current = (await storage.get('counter'))!;
            if (
              await storage.putIfMatch('counter', String(Number(current.body.toString()) + 1), current.etag)
            )
              return;
          }
        };
        await Promise.all(Array.from({ length: 10 }, increment));
        expect((await storage.get('counter'))!.body.toString()).toBe('10');
      },
    );

    it('streams bodies in and out, lists by prefix with sizes, and deletes', async () => {
      const storage = await make();
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
      const streamed: Buffer[] = [];
      for await (const chunk of await storage.getStream('a/b/one.txt')) streamed.push(chunk as Buffer);
      expect(Buffer.concat(streamed).toString()).toBe('hello world');
      await storage.delete(['a/two.txt']);
      expect((await storage.list('a/')).map((o) => o.key)).toEqual(['a/b/one.txt']);
      expect(await storage.get('missing')).toBeUndefined();
      await expect(storage.getStream('missing')).rejects.toThrow(StorageNotFoundError);
    });
  });
}
