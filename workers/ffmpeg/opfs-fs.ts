/**
 * An Emscripten file system whose files are OPFS files, written and read in place through
 * `FileSystemSyncAccessHandle`s: ffmpeg's outputs go straight to disk instead of into
 * MEMFS, which keeps each file in one growing JS array (about 3× the output in memory,
 * and nothing of 2 GiB or more).
 *
 * Emscripten calls its file systems synchronously, but OPFS opens handles asynchronously,
 * so the worker opens one handle per expected output before the run and mounts them here.
 * A name ffmpeg creates that was not opened beforehand is refused (EACCES). Modelled on
 * PGlite's OPFS access-handle pool file system; uses only what the core's FS object has
 * (`createNode`, `ErrnoError`), so the core needs no rebuild.
 */

/** The slice of `FileSystemSyncAccessHandle` used here (a fake in unit tests). */
export interface SyncFile {
  read(buffer: ArrayBufferView, options: { at: number }): number;
  write(buffer: ArrayBufferView, options: { at: number }): number;
  truncate(size: number): void;
  getSize(): number;
  flush(): void;
}

/** The parts of Emscripten's FS object that a mount type needs. */
export interface EmscriptenFS {
  createNode(parent: FsNode | null, name: string, mode: number, rdev?: number): FsNode;
  isDir(mode: number): boolean;
  ErrnoError: new (errno: number) => Error;
}

export interface FsNode {
  id: number;
  name: string;
  mode: number;
  parent: FsNode;
  node_ops: object;
  stream_ops: object;
  /** This file system's own data: the directory's children, or the file's handle. */
  contents?: unknown;
  timestamp?: number;
}

interface FsStream {
  node: FsNode;
  position: number;
}

export interface MountType {
  mount(mount: unknown): FsNode;
}

/** Emscripten's errno numbers (its own table, not Linux's). */
export const ERRNO = { EACCES: 2, EEXIST: 20, EINVAL: 28, EIO: 29, EISDIR: 31, ENOENT: 44, ENOSPC: 51, EPERM: 63 } as const;

const DIR_MODE = 0o40777;
const SEEK_CUR = 1;
const SEEK_END = 2;

/** What a write failure was, for the page's sentence (ffmpeg only sees an errno). */
export interface WriteFailure {
  name: string;
  error: unknown;
}

/**
 * Builds the mount type. `files` maps a name (directly under the mount point) to its open
 * handle; the first write error (a full quota above all) is kept in `failures`.
 */
export function createOpfsFs(FS: EmscriptenFS, files: ReadonlyMap<string, SyncFile>, failures: WriteFailure[] = []): MountType {
  const handleOf = (node: FsNode): SyncFile => node.contents as SyncFile;
  const childrenOf = (dir: FsNode): Map<string, FsNode> => dir.contents as Map<string, FsNode>;
  const now = (): Date => new Date();

  const ioError = (name: string, error: unknown): Error => {
    failures.push({ name, error });
    const quota = error instanceof DOMException && error.name === 'QuotaExceededError';
    return new FS.ErrnoError(quota ? ERRNO.ENOSPC : ERRNO.EIO);
  };

  const fileStreamOps = {
    read(stream: FsStream, buffer: Uint8Array, offset: number, length: number, position: number): number {
      try {
        return handleOf(stream.node).read(buffer.subarray(offset, offset + length), { at: position });
      } catch (error) {
        throw ioError(stream.node.name, error);
      }
    },
    write(stream: FsStream, buffer: Uint8Array, offset: number, length: number, position: number): number {
      try {
        const written = handleOf(stream.node).write(buffer.subarray(offset, offset + length), { at: position });
        stream.node.timestamp = Date.now();
        return written;
      } catch (error) {
        throw ioError(stream.node.name, error);
      }
    },
    llseek(stream: FsStream, offset: number, whence: number): number {
      let position = offset;
      if (whence === SEEK_CUR) position += stream.position;
      else if (whence === SEEK_END) position += handleOf(stream.node).getSize();
      if (position < 0) throw new FS.ErrnoError(ERRNO.EINVAL);
      return position;
    },
  };

  const attributes = (node: FsNode): object => {
    const size = FS.isDir(node.mode) ? 4096 : handleOf(node).getSize();
    const time = new Date(node.timestamp ?? Date.now());
    return { dev: 1, ino: node.id, mode: node.mode, nlink: 1, uid: 0, gid: 0, rdev: 0, size, atime: time, mtime: time, ctime: time, blksize: 4096, blocks: Math.ceil(size / 4096) };
  };

  const setattr = (node: FsNode, attr: { mode?: number; timestamp?: number; size?: number }): void => {
    if (attr.mode !== undefined) node.mode = attr.mode;
    if (attr.timestamp !== undefined) node.timestamp = attr.timestamp;
    if (attr.size !== undefined) {
      if (FS.isDir(node.mode)) throw new FS.ErrnoError(ERRNO.EISDIR);
      try {
        handleOf(node).truncate(attr.size);
      } catch (error) {
        throw ioError(node.name, error);
      }
    }
  };

  const fileNodeOps = { getattr: attributes, setattr };

  const dirNodeOps = {
    getattr: attributes,
    setattr,
    lookup(parent: FsNode, name: string): FsNode {
      const child = childrenOf(parent).get(name);
      if (!child) throw new FS.ErrnoError(ERRNO.ENOENT);
      return child;
    },
    mknod(parent: FsNode, name: string, mode: number): FsNode {
      const handle = files.get(name);
      if (!handle || FS.isDir(mode)) throw new FS.ErrnoError(ERRNO.EACCES);
      if (childrenOf(parent).has(name)) throw new FS.ErrnoError(ERRNO.EEXIST);
      const node = FS.createNode(parent, name, mode, 0);
      node.node_ops = fileNodeOps;
      node.stream_ops = fileStreamOps;
      node.contents = handle;
      node.timestamp = Date.now();
      childrenOf(parent).set(name, node);
      return node;
    },
    unlink(parent: FsNode, name: string): void {
      const node = childrenOf(parent).get(name);
      if (!node) throw new FS.ErrnoError(ERRNO.ENOENT);
      // The OPFS file itself belongs to the page, which removes the job's scratch folder.
      handleOf(node).truncate(0);
      childrenOf(parent).delete(name);
    },
    rename(): never {
      throw new FS.ErrnoError(ERRNO.EPERM);
    },
    rmdir(): never {
      throw new FS.ErrnoError(ERRNO.EPERM);
    },
    readdir(node: FsNode): string[] {
      return ['.', '..', ...childrenOf(node).keys()];
    },
    symlink(): never {
      throw new FS.ErrnoError(ERRNO.EPERM);
    },
  };

  return {
    mount(): FsNode {
      const root = FS.createNode(null, '/', DIR_MODE, 0);
      root.node_ops = dirNodeOps;
      root.stream_ops = {};
      root.contents = new Map<string, FsNode>();
      root.timestamp = now().getTime();
      return root;
    },
  };
}
