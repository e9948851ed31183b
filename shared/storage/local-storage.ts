import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { link, mkdir, open, readdir, readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  type FileStorage,
  type ListedObject,
  StorageNotFoundError,
  type VersionedObject,
} from './file-storage.js';

const LOCK_STALE_MS = 30_000;

/** FileStorage over a local folder; writes go through a temporary file and an atomic rename or link. */
export class LocalFileStorage implements FileStorage {
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  url(key: string): string {
    return this.path(key);
  }

  async get(key: string): Promise<VersionedObject | undefined> {
    try {
      const body = await readFile(this.path(key));
      return { body, etag: etagOf(body) };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async getStream(key: string): Promise<Readable> {
    const path = this.path(key);
    try {
      await stat(path);
    } catch (error) {
      if (isNotFound(error)) throw new StorageNotFoundError(key);
      throw error;
    }
    return createReadStream(path);
  }

  async put(key: string, body: Uint8Array | string): Promise<void> {
    const temp = await this.writeTemp(key, body);
    await rename(temp, this.path(key));
  }

  async putStream(key: string, body: AsyncIterable<Uint8Array>): Promise<number> {
    const path = this.path(key);
    await mkdir(dirname(path), { recursive: true });
    const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
    let bytes = 0;
    const counted = async function* () {
      for await (const chunk of body) {
        bytes += chunk.length;
        yield chunk;
      }
    };
    try {
      await pipeline(counted, createWriteStream(temp));
      await rename(temp, path);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    return bytes;
  }

  async putIfAbsent(key: string, body: Uint8Array | string): Promise<boolean> {
    const temp = await this.writeTemp(key, body);
    try {
      await link(temp, this.path(key));
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw error;
    } finally {
      await unlink(temp);
    }
  }

  async putIfMatch(key: string, body: Uint8Array | string, etag: string | undefined): Promise<boolean> {
    if (etag === undefined) return this.putIfAbsent(key, body);
    const release = await this.lock(key);
    try {
      const current = await this.get(key);
      if (current?.etag !== etag) return false;
      await this.put(key, body);
      return true;
    } finally {
      await release();
    }
  }

  async list(prefix: string): Promise<ListedObject[]> {
    const start = this.path(prefix.endsWith('/') ? prefix : dirname(prefix));
    const found: ListedObject[] = [];
    await this.walk(start, found);
    return found.filter((o) => o.key.startsWith(prefix)).sort((a, b) => (a.key < b.key ? -1 : 1));
  }

  async delete(keys: readonly string[]): Promise<void> {
    await Promise.all(keys.map((key) => rm(this.path(key), { force: true })));
  }

  private async walk(dir: string, found: ListedObject[]): Promise<void> {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      if (isNotFound(error)) return;
      throw error;
    }
    for (const entry of entries) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) await this.walk(full, found);
      else if (!entry.name.endsWith('.tmp') && !entry.name.endsWith('.lock')) {
        found.push({ key: relative(this.root, full).split(sep).join('/'), size: (await stat(full)).size });
      }
    }
  }

  private async writeTemp(key: string, body: Uint8Array | string): Promise<string> {
    const path = this.path(key);
    await mkdir(dirname(path), { recursive: true });
    const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
    await writeFile(temp, body);
    return temp;
  }

  /** A lock file created exclusively; a lock older than LOCK_STALE_MS is taken over. */
  private async lock(key: string): Promise<() => Promise<void>> {
    const lockPath = `${this.path(key)}.lock`;
    await mkdir(dirname(lockPath), { recursive: true });
    for (;;) {
      try {
        const handle = await open(lockPath, 'wx');
        await handle.close();
        return () => rm(lockPath, { force: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const age = await stat(lockPath).then(
          (s) => Date.now() - s.mtimeMs,
          () => 0,
        );
        if (age > LOCK_STALE_MS) await rm(lockPath, { force: true });
        else await new Promise((r) => setTimeout(r, 5));
      }
    }
  }

  private path(key: string): string {
    const path = resolve(this.root, key);
    if (path !== this.root && !path.startsWith(this.root + sep))
      throw new Error(`key ${key} leaves the storage root`);
    return path;
  }
}

function etagOf(body: Buffer): string {
  return createHash('sha256').update(body).digest('hex');
}

function isNotFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}
