/** Moved beside the presets (their WebCodecs compiler uses it); kept here for older imports. */
export * from '../presets/webcodecs-bitrate';
