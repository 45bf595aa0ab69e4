/**
 * The stream poller's positions: each consumer's last handled record per shard, kept in memory and
 * optionally in a JSON file (written whole and atomically) so a restart resumes where it stopped.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface ShardCheckpoint {
  /** Last record handled (delivered, or sent to the on-failure list). */
  sequenceNumber?: string;
  /** Closed and fully handled. */
  finished?: boolean;
}

interface CheckpointFile {
  version: 1;
  streamArn: string;
  consumers: Record<string, Record<string, ShardCheckpoint>>;
}

/** Positions of every consumer; written whole, atomically, one write at a time. */
export class CheckpointStore {
  private data: CheckpointFile;
  private writing: Promise<void> = Promise.resolve();
  private dirty = false;

  private constructor(
    private readonly file: string | undefined,
    streamArn: string,
    loaded: CheckpointFile | undefined,
  ) {
    this.data = loaded?.streamArn === streamArn ? loaded : { version: 1, streamArn, consumers: {} };
  }

  static async open(file: string | undefined, streamArn: string, logger: Pick<Console, 'info'> | undefined) {
    let loaded: CheckpointFile | undefined;
    if (file) {
      try {
        loaded = JSON.parse(await readFile(file, 'utf8')) as CheckpointFile;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
      if (loaded && loaded.streamArn !== streamArn) {
        logger?.info(`stream-poller: ${file} belongs to ${loaded.streamArn}; starting ${streamArn} from the trim horizon`);
      }
    }
    return new CheckpointStore(file, streamArn, loaded);
  }

  get(consumer: string, shardId: string): ShardCheckpoint {
    return this.data.consumers[consumer]?.[shardId] ?? {};
  }

  set(consumer: string, shardId: string, checkpoint: ShardCheckpoint): void {
    (this.data.consumers[consumer] ??= {})[shardId] = checkpoint;
    if (!this.file) return;
    this.dirty = true;
    this.writing = this.writing.then(() => this.write());
  }

  flush(): Promise<void> {
    return this.writing;
  }

  private async write(): Promise<void> {
    if (!this.dirty || !this.file) return;
    this.dirty = false;
    await mkdir(path.dirname(this.file), { recursive: true });
    const temp = `${this.file}.${process.pid}.${randomUUID()}.tmp`;
    await writeFile(temp, `${JSON.stringify(this.data, null, 2)}\n`);
    await rename(temp, this.file);
  }
}
