import type { Server } from 'node:http';

/** Configuration of {@link createPresignServer}; see README.md for the matching env vars. */
export interface PresignServerConfig {
  /** S3 API address; omit for AWS S3. For MinIO: http://localhost:9000. */
  endpoint?: string | undefined;
  region: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** true for MinIO and most S3-compatible servers (http://host/bucket/key). */
  forcePathStyle?: boolean;
  /** The app's origin, several separated by commas, or `*`. */
  allowedOrigin: string;
  /** 0 or omitted: a free port. */
  port?: number;
  host?: string | undefined;
  /** Every key starts with it; keys outside it are refused. */
  keyPrefix: string;
  urlExpiresSeconds: number;
  /** One line per request (method, path, status); never a URL with its query. */
  log?: (line: string) => void;
}

export function configFromEnv(env?: Record<string, string | undefined>): PresignServerConfig & { port: number };
export function createPresignServer(config: PresignServerConfig): Promise<Server>;
