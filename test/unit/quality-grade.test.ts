import { describe, expect, it } from 'vitest';
import { gradeLabel, qualityGrade } from '../../workers/quality/quality-grade';

describe('qualityGrade', () => {
  it('gives the word of the lower of the two figures', () => {
    expect(qualityGrade({ psnr: 45.9, ssim: 0.99 })).toBe('excellent');
    expect(qualityGrade({ psnr: 45.9, ssim: 0.97 })).toBe('good');
    expect(qualityGrade({ psnr: 39.5, ssim: 0.99 })).toBe('good');
    expect(qualityGrade({ psnr: 35, ssim: 0.95 })).toBe('fair');
    expect(qualityGrade({ psnr: 31.9, ssim: 0.99 })).toBe('poor');
    expect(qualityGrade({ psnr: Infinity, ssim: 1 })).toBe('excellent');
    expect(gradeLabel('good')).toBe('Good');
  });
});
