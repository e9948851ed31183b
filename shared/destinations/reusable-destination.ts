import type { Destination } from './destination.js';

/**
 * One destination connection kept across warm Lambda invocations. When the destination refuses
 * the credentials (a rotated token), the settings are re-read and the work is tried once more on
 * a new connection; after any other failure the connection is dropped so the next use reconnects.
 */
export class ReusableDestination {
  private current: Promise<Destination> | undefined;

  constructor(
    private readonly open: (options: { rereadSettings: boolean }) => Promise<Destination>,
    private readonly isAuthFailure: (error: unknown) => boolean,
  ) {}

  async use<T>(work: (destination: Destination) => Promise<T>): Promise<T> {
    try {
      return await work(await this.connect(false));
    } catch (error) {
      await this.drop();
      if (!this.isAuthFailure(error)) throw error;
      return work(await this.connect(true));
    }
  }

  async close(): Promise<void> {
    await this.drop();
  }

  private connect(rereadSettings: boolean): Promise<Destination> {
    if (this.current === undefined) {
      const opening = this.open({ rereadSettings });
      // a failed connect is not kept: the next use tries again
      opening.catch(() => {
        if (this.current === opening) this.current = undefined;
      });
      this.current = opening;
    }
    return this.current;
  }

  private async drop(): Promise<void> {
    const current = this.current;
    this.current = undefined;
    if (current !== undefined) await (await current.catch(() => undefined))?.close().catch(() => undefined);
  }
}
