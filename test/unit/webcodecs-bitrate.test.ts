import { describe, expect, it } from 'vitest';
import { webCodecsVideoBitrate } from '../../src/jobs/webcodecs-bitrate';

describe('webCodecsVideoBitrate', () => {
  it('gives OpenH264 1.25 Mb/s at 720p30: −0.4 dB against x264 CRF 23 at 1.49× its size (measured)', () => {
    expect(webCodecsVideoBitrate('avc', 1280, 720, 30)).toBe(1_250_000);
  });

  it('gives VP9 0.7 Mb/s at 720p30 (above the ffmpeg route quality at 0.7× its size, measured)', () => {
    expect(webCodecsVideoBitrate('vp9', 1280, 720, 30)).toBe(700_000);
  });

  it('grows slower than the pixel count (power 0.75)', () => {
    const p720 = webCodecsVideoBitrate('avc', 1280, 720, 30);
    const p480 = webCodecsVideoBitrate('avc', 854, 480, 30);
    expect(p480).toBeLessThan(p720);
    expect(p480 / p720).toBeGreaterThan((854 * 480) / (1280 * 720));
    expect(p480 / p720).toBeCloseTo(((854 * 480) / (1280 * 720)) ** 0.75, 2);
  });

  it('follows the frame rate, clamped to 10–60 fps', () => {
    const at30 = webCodecsVideoBitrate('avc', 1280, 720, 30);
    expect(webCodecsVideoBitrate('avc', 1280, 720, 60)).toBeCloseTo(at30 * 2 ** 0.75, -4);
    expect(webCodecsVideoBitrate('avc', 1280, 720, 240)).toBe(webCodecsVideoBitrate('avc', 1280, 720, 60));
    expect(webCodecsVideoBitrate('avc', 1280, 720, 1)).toBe(webCodecsVideoBitrate('avc', 1280, 720, 10));
  });

  it('takes an unknown frame rate as 30 fps', () => {
    expect(webCodecsVideoBitrate('avc', 1280, 720, null)).toBe(webCodecsVideoBitrate('avc', 1280, 720, 30));
    expect(webCodecsVideoBitrate('avc', 1280, 720, Number.NaN)).toBe(webCodecsVideoBitrate('avc', 1280, 720, 30));
  });

  it('never goes below 200 kb/s, however small the picture', () => {
    expect(webCodecsVideoBitrate('vp9', 160, 90, 15)).toBe(200_000);
  });

  it('rejects a size that is not positive, naming it', () => {
    expect(() => webCodecsVideoBitrate('avc', 0, 720, 30)).toThrow(/width and height must be positive/);
  });
});
