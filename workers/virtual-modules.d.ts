/** Made at build time by scripts/ffmpeg-core-exports.ts: the core's minified names for its stack functions. */
declare module 'virtual:ffmpeg-core-stack' {
  const names: { stackSave: string; stackRestore: string };
  export default names;
}
