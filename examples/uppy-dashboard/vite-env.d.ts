/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** The signing service (examples/presign-server), e.g. https://sign.example.com; set in .env. */
  readonly VITE_SIGNING_ENDPOINT?: string;
}
