import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { CustomPresetLibrary } from '../../src/jobs/custom-preset-library';
import { customPresetShape, exportCustomPresets, importCustomPresets, makeFormPreset, CustomPresetError } from '../../src/presets/custom-preset';
import { engineSentence, specFromChoices, checkPresetChoices, TYPICAL_PHONE_CLIP, type PresetChoices } from '../../src/presets/form-preset';
import { compileWebCodecs } from '../../src/presets/webcodecs-compile';
import { presetById } from '../../src/presets/presets';
import { CustomPresetStore } from '../../src/storage/custom-preset-store';

const base: PresetChoices = { format: 'mp4-h264', maxHeight: 1080, maxFps: null, sound: 'auto', quality: 3, fitMB: null, soundKbps: 96 };

describe('specFromChoices', () => {
  it('MP4 H.264 1080p, quality 3, sound 96 kb/s: the spec the fast route plans at 1920×1080 with AAC 96 kb/s', () => {
    const spec = specFromChoices(base);
    expect(spec).toEqual({
      container: 'mp4',
      video: { codec: 'h264', maxHeight: 1080, rate: { kind: 'quality', level: 3 } },
      audio: { codec: 'aac', bitrate: 96_000, channels: 2 },
      faststart: true,
    });
    const planned = compileWebCodecs(spec, TYPICAL_PHONE_CLIP);
    expect(planned.ok && [planned.plan.video.codec, planned.plan.video.height, planned.plan.audio?.bitrate]).toEqual(['avc', 1080, 96_000]);
  });

  it('Fit in, frame rate, mono and the audio-only and copy formats', () => {
    expect(specFromChoices({ ...base, fitMB: 8, maxFps: 30, sound: 'mono', soundKbps: null })).toEqual({
      container: 'mp4',
      video: { codec: 'h264', maxHeight: 1080, maxFps: 30, rate: { kind: 'size', bytes: 8_000_000 } },
      audio: { codec: 'aac', channels: 1 },
      faststart: true,
    });
    expect(specFromChoices({ ...base, format: 'webm-vp9', sound: 'none' })).toMatchObject({ container: 'webm', video: { codec: 'vp9' }, audio: null });
    expect(specFromChoices({ ...base, format: 'opus', soundKbps: 48 })).toEqual({ container: 'opus', video: null, audio: { codec: 'opus', bitrate: 48_000, channels: 2 } });
    expect(specFromChoices({ ...base, format: 'wav', soundKbps: null })).toEqual({ container: 'wav', video: null, audio: { codec: 'pcm', channels: 2 } });
    expect(specFromChoices({ ...base, format: 'gif', maxHeight: 360, maxFps: 15 })).toEqual({ container: 'gif', video: { codec: 'gif', maxHeight: 360, maxFps: 15 }, audio: null });
    expect(specFromChoices({ ...base, format: 'copy' })).toEqual({ container: 'mp4', video: 'copy', audio: 'copy', faststart: true });
  });

  it('refuses choices that do not go together, with the sentence to show', () => {
    expect(() => specFromChoices({ ...base, format: 'flac', soundKbps: 320 })).toThrow('FLAC is lossless: leave Sound kb/s empty.');
    expect(() => specFromChoices({ ...base, format: 'mp3', sound: 'none' })).toThrow('sound only: Sound cannot be none');
    expect(() => specFromChoices({ ...base, format: 'gif', fitMB: 8 })).toThrow('GIF has no rate control');
    expect(() => checkPresetChoices({ ...base, maxHeight: 1000 })).toThrow('choices.maxHeight must be null or one of 2160, 1440, 1080, 720, 480, 360.');
    expect(() => checkPresetChoices({ ...base, format: 'avi' })).toThrow('choices.format must be one of');
    expect(() => checkPresetChoices({ ...base, soundKbps: 2 })).toThrow('Sound kb/s must be');
  });
});

describe('engineSentence', () => {
  it('says which engine a typical phone clip takes and why', () => {
    expect(engineSentence(specFromChoices(base), true)).toContain('would take the fast route (WebCodecs)');
    expect(engineSentence(specFromChoices({ ...base, format: 'gif' }), null)).toBe('A typical phone clip (1080p H.264/AAC MP4) would take ffmpeg.wasm: GIF preset is ffmpeg-only.');
    expect(engineSentence(specFromChoices({ ...base, format: 'mp4-hevc' }), null)).toContain("HEVC isn't encoded by the fast route");
    expect(engineSentence(specFromChoices({ ...base, format: 'webm-av1' }), false)).toContain('This browser does not encode AV1');
    // 0.5 MB for 30 s at 1080p: the size budget's sentence.
    expect(engineSentence(specFromChoices({ ...base, fitMB: 0.5 }), true)).toMatch(/ffmpeg\.wasm: 0\.5 MB cannot hold 30 s at 1080 lines/);
  });
});

describe('form-built presets kept, exported, imported', () => {
  it('round-trips through the store, an export file and an import (checked again)', async () => {
    const library = new CustomPresetLibrary(new CustomPresetStore(`form-${Math.random()}`), { now: () => 1000 });
    await library.load();
    const saved = await library.saveChoices({ name: 'Chat 1080', choices: base });
    expect(saved).toMatchObject({ id: 'custom-chat-1080', container: 'mp4', argsText: '', args: [], choices: base });
    // Known to the engine as a spec preset: the router and both compilers read it like a built-in.
    expect(presetById('custom-chat-1080').spec).toEqual(specFromChoices(base));
    expect(presetById('custom-chat-1080').parts).not.toBeNull();

    const json = library.exportJson();
    expect((JSON.parse(json) as { presets: unknown }).presets).toEqual([{ name: 'Chat 1080', choices: base }]);
    const other = new CustomPresetLibrary(new CustomPresetStore(`form-${Math.random()}`), { now: () => 2000, dryRun: () => Promise.reject(new Error('form presets are not dry-run')) });
    await other.load();
    const added = await other.importJson(json);
    expect(added.map((p) => [p.id, p.choices])).toEqual([['custom-chat-1080', base]]);

    expect(() => importCustomPresets(JSON.stringify({ ffbatch: 'presets', presets: [{ name: 'Bad', choices: { ...base, format: 'wmv' } }] }), new Set(), 0)).toThrow(CustomPresetError);
    expect(() => importCustomPresets(JSON.stringify({ ffbatch: 'presets', presets: [{ name: 'Bad', choices: { ...base, format: 'wmv' } }] }), new Set(), 0)).toThrow('Bad: choices.format must be one of');
  });

  it('a kept record survives a reload of the store', async () => {
    const name = `form-${Math.random()}`;
    const first = new CustomPresetLibrary(new CustomPresetStore(name), { now: () => 1 });
    await first.load();
    await first.saveChoices({ name: 'Small', choices: { ...base, maxHeight: 480, fitMB: 10 } });
    const second = new CustomPresetLibrary(new CustomPresetStore(name));
    await second.load();
    expect(second.list().map((p) => [p.id, p.choices?.fitMB])).toEqual([['custom-small', 10]]);
    expect(exportCustomPresets(second.list())).toContain('"fitMB": 10');
  });

  it('the preset shape compiles its spec and names outputs after the preset', () => {
    const preset = makeFormPreset({ name: 'Voice memo', choices: { ...base, format: 'm4a', soundKbps: 64, sound: 'mono' } }, new Set(), 0);
    const shape = customPresetShape(preset);
    expect([shape.extension, shape.nameSuffix, shape.spec?.container, shape.summary]).toEqual(['m4a', 'voice-memo', 'm4a', 'M4A AAC (sound only) · mono sound 64 kb/s']);
  });
});
