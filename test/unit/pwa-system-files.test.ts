/**
 * Open with ffbatch (issue 20): the page consumes `launchQueue` (a fake one here) and adds the
 * opened files with their handles, so Resume can read them again; the manifest's file_handlers
 * offer exactly the files the page takes as media (`looksLikeMedia`). The share target runs in
 * Chromium (test/e2e/share-target.spec.ts).
 */
import { describe, expect, it } from 'vitest';
import { OPEN_WITH_TYPES } from '../../scripts/pwa';
import { looksLikeMedia, type AddedFile } from '../../src/index';
import { consumeLaunchQueue, type LaunchQueue } from '../../src/pwa/system-files';

/** A launchQueue as Chromium's: launches wait until a consumer is set, then go to it. */
class FakeLaunchQueue implements LaunchQueue {
  private consumer: ((params: { files?: readonly FileSystemHandle[] }) => void | Promise<void>) | null = null;
  private readonly waiting: { files?: readonly FileSystemHandle[] }[] = [];
  readonly handled: Promise<void>[] = [];
  setConsumer(consumer: (params: { files?: readonly FileSystemHandle[] }) => void | Promise<void>): void {
    this.consumer = consumer;
    for (const params of this.waiting.splice(0)) this.handled.push(Promise.resolve(consumer(params)));
  }
  launch(files: FileSystemHandle[]): void {
    if (this.consumer) this.handled.push(Promise.resolve(this.consumer({ files })));
    else this.waiting.push({ files });
  }
}

function fileHandle(name: string, bytes: number): FileSystemFileHandle {
  const file = new File([new Uint8Array(bytes)], name, { type: 'video/mp4', lastModified: 1_700_000_000_000 });
  return { kind: 'file', name, getFile: () => Promise.resolve(file) } as unknown as FileSystemFileHandle;
}

describe('Open with ffbatch: launchQueue', () => {
  it('adds the opened files with their handles, a launch at a time, also for a launch made before the page listened', async () => {
    const queue = new FakeLaunchQueue();
    const first = [fileHandle('holiday.mov', 10), fileHandle('talk.mp3', 20)];
    queue.launch(first);
    const added: AddedFile[][] = [];
    consumeLaunchQueue(queue, (files) => added.push(files));
    const second = [fileHandle('clip.mkv', 30), { kind: 'directory', name: 'Videos' } as unknown as FileSystemHandle];
    queue.launch(second);
    queue.launch([]);
    await Promise.all(queue.handled);

    expect(added.map((files) => files.map(({ file }) => [file.name, file.size]))).toEqual([
      [['holiday.mov', 10], ['talk.mp3', 20]],
      [['clip.mkv', 30]],
    ]);
    // The very handles the browser gave: the job store keeps them for Resume.
    expect(added[0]!.map(({ handle }) => handle)).toEqual(first);
    expect(added[1]![0]!.handle).toBe(second[0]);
  });

  it('does nothing where the browser has no launchQueue', () => {
    expect(() => consumeLaunchQueue(undefined, () => expect.fail('nothing to add'))).not.toThrow();
  });
});

describe("the manifest's file_handlers", () => {
  const offered = new Map(Object.entries(OPEN_WITH_TYPES).flatMap(([type, extensions]) => extensions.map((extension) => [extension, type] as const)));

  it('offer only files the page takes as media, under a video or audio type', () => {
    for (const [extension, type] of offered) {
      expect(extension, 'an extension with its dot').toMatch(/^\.[a-z0-9]+$/);
      expect(looksLikeMedia({ name: `clip${extension}`, type: '' }), `${extension} is taken by the page`).toBe(true);
      expect(looksLikeMedia({ name: 'clip', type }), `${type} is a media type`).toBe(type !== 'application/mxf');
    }
    expect(offered.size).toBe(new Set(Object.values(OPEN_WITH_TYPES).flat()).size);
  });

  it('offer every extension the page takes as media', () => {
    // What a desktop may hold: the page's media extensions and others it refuses.
    const candidates = 'avi flv mp4 m4v m4a mov mkv webm ogv ogg oga opus mp3 wav flac aac wmv wma asf mpg mpeg ts mts m2ts 3gp 3g2 vob f4v dv mxf mp2 ac3 aiff amr rm rmvb heic jpg png gif pdf txt doc zip srt vtt'.split(' ');
    for (const extension of candidates) {
      expect(offered.has(`.${extension}`), `.${extension}`).toBe(looksLikeMedia({ name: `clip.${extension}`, type: '' }));
    }
  });
});
