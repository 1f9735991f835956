import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Mutex } from 'async-mutex';
import { BSON, ResumeToken } from 'mongodb';
import writeFileAtomic from 'write-file-atomic';
import {
  ConfigurationError,
  OffsetFencedError,
  OffsetStorageError,
} from '../errors';
import type {
  OffsetCommit,
  OffsetCommitOutcome,
  OffsetStorage,
  OffsetWriteOptions,
} from './offset-storage';

/** Options of {@link FileOffsetStorage}. */
export interface FileOffsetStorageOptions {
  /** Directory of the offset files; created when missing. */
  directory: string;
}

interface GroupFile {
  version: 1;
  /** Commits by `topic/partition`. */
  commits: Record<string, OffsetCommit>;
  /** Fenced generations by `topic/partition`. */
  generations: Record<string, number>;
}

const ENOENT = 'ENOENT';

function entryKey(topic: string, partition: number): string {
  return `${topic}/${partition}`;
}

function emptyFile(): GroupFile {
  return { version: 1, commits: {}, generations: {} };
}

/**
 * Keeps offsets in JSON files, one per group, in a local directory. Every
 * write goes to a temporary file that is flushed and then renamed over the
 * old one, so a crash (even `kill -9`) leaves either the old or the new
 * file, never a torn one.
 *
 * NOTE: fencing and locking hold within one process only, so this storage
 * suits groups whose members all run in one process (local tools, tests,
 * single-instance services). Use {@link MongoOffsetStorage} for groups that
 * span processes or machines. It cannot join transactions.
 */
export class FileOffsetStorage implements OffsetStorage {
  readonly supportsTransactions = false;
  private readonly directory: string;
  private readonly mutex = new Mutex();
  private directoryReady?: Promise<unknown>;

  constructor(options: FileOffsetStorageOptions) {
    if (
      !options ||
      typeof options.directory !== 'string' ||
      !options.directory
    ) {
      throw new ConfigurationError(
        'Missing FileOffsetStorage directory: pass { directory: "./offsets" }.',
      );
    }
    this.directory = options.directory;
  }

  /** Path of the file that holds a group's offsets. */
  fileOf(groupId: string): string {
    return join(this.directory, `${encodeURIComponent(groupId)}.offsets.json`);
  }

  async commitOffset(
    commit: OffsetCommit,
    options: OffsetWriteOptions = {},
  ): Promise<void> {
    if (options.session) {
      throw new ConfigurationError(
        'FileOffsetStorage cannot join a MongoDB transaction. Use ' +
          'MongoOffsetStorage for transactional handlers.',
      );
    }
    const [outcome] = await this.commitOffsets([commit]);
    if (outcome === 'fenced') {
      throw new OffsetFencedError(commit, commit.generation ?? 0);
    }
  }

  async commitOffsets(commits: OffsetCommit[]): Promise<OffsetCommitOutcome[]> {
    const outcomes: OffsetCommitOutcome[] = [];
    const byGroup = new Map<string, number[]>();
    commits.forEach((commit, index) => {
      const indexes = byGroup.get(commit.groupId) ?? [];
      indexes.push(index);
      byGroup.set(commit.groupId, indexes);
    });

    await this.mutex.runExclusive(async () => {
      for (const [groupId, indexes] of byGroup) {
        const contents = await this.read(groupId);
        for (const index of indexes) {
          const commit = commits[index];
          const key = entryKey(commit.topic, commit.partition);
          const stored = contents.generations[key] ?? 0;
          if (commit.generation !== undefined && commit.generation < stored) {
            outcomes[index] = 'fenced';
            continue;
          }
          const generation = commit.generation ?? stored;
          contents.generations[key] = generation;
          contents.commits[key] = {
            ...commit,
            generation,
            committedAt: new Date(),
          };
          outcomes[index] = 'committed';
        }
        await this.write(groupId, contents);
      }
    });
    return outcomes;
  }

  async getOffset(
    groupId: string,
    topic: string,
    partition: number,
  ): Promise<ResumeToken | null> {
    const commit = await this.getCommit(groupId, topic, partition);
    return commit?.offset ?? null;
  }

  async getCommit(
    groupId: string,
    topic: string,
    partition: number,
  ): Promise<OffsetCommit | null> {
    const contents = await this.read(groupId);
    return contents.commits[entryKey(topic, partition)] ?? null;
  }

  async fence(
    groupId: string,
    topic: string,
    partition: number,
    generation: number,
  ): Promise<OffsetCommit | null> {
    return this.mutex.runExclusive(async () => {
      const contents = await this.read(groupId);
      const key = entryKey(topic, partition);
      if ((contents.generations[key] ?? 0) < generation) {
        contents.generations[key] = generation;
        await this.write(groupId, contents);
      }
      return contents.commits[key] ?? null;
    });
  }

  async listCommits(groupId: string, topic?: string): Promise<OffsetCommit[]> {
    const contents = await this.read(groupId);
    return Object.values(contents.commits)
      .filter((commit) => topic === undefined || commit.topic === topic)
      .sort(
        (a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition,
      );
  }

  async deleteCommits(
    groupId: string,
    topic: string,
    partitions?: number[],
  ): Promise<void> {
    await this.mutex.runExclusive(async () => {
      const contents = await this.read(groupId);
      for (const commit of Object.values(contents.commits)) {
        if (
          commit.topic === topic &&
          (partitions === undefined || partitions.includes(commit.partition))
        ) {
          delete contents.commits[entryKey(commit.topic, commit.partition)];
        }
      }
      await this.write(groupId, contents);
    });
  }

  private async read(groupId: string): Promise<GroupFile> {
    const path = this.fileOf(groupId);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === ENOENT) {
        return emptyFile();
      }
      throw new OffsetStorageError(`Failed to read offset file ${path}`, error);
    }
    try {
      return BSON.EJSON.parse(text, { relaxed: true }) as GroupFile;
    } catch (error) {
      throw new OffsetStorageError(
        `Offset file ${path} is not valid extended JSON. Restore it from a ` +
          'backup or delete it to reset the group.',
        error,
      );
    }
  }

  private async write(groupId: string, contents: GroupFile): Promise<void> {
    this.directoryReady ??= mkdir(this.directory, { recursive: true });
    await this.directoryReady;
    const text = BSON.EJSON.stringify(contents, undefined, 2, {
      relaxed: true,
    });
    await writeFileAtomic(this.fileOf(groupId), `${text}\n`, { fsync: true });
  }
}
