/**
 * The word a person reads beside a score. Thresholds are on both figures and the lower word
 * wins (PSNR alone flatters blur; SSIM alone misses colour). The same table is in the README.
 */
import type { QualityScore } from './frame-quality';

/**
 * The word for a measured score.
 *
 * @example
 * ```ts
 * const word: QualityGrade = qualityGrade({ psnr: 39.5, ssim: 0.97 }); // 'good'
 * ```
 */
export type QualityGrade = 'excellent' | 'good' | 'fair' | 'poor';

/**
 * Lowest PSNR (dB) and SSIM of each word, best first; anything below the last is poor.
 *
 * @example
 * ```ts
 * for (const { grade, psnr, ssim } of QUALITY_GRADES) console.log(`${grade}: ≥ ${psnr} dB and SSIM ≥ ${ssim}`);
 * ```
 */
export const QUALITY_GRADES: readonly { grade: Exclude<QualityGrade, 'poor'>; psnr: number; ssim: number }[] = [
  { grade: 'excellent', psnr: 44, ssim: 0.985 },
  { grade: 'good', psnr: 38, ssim: 0.96 },
  { grade: 'fair', psnr: 32, ssim: 0.9 },
];

/**
 * The word for a score: the lower of the words its PSNR and its SSIM earn.
 *
 * @example
 * ```ts
 * const { quality } = await job.result();
 * if (quality) label.textContent = qualityGrade(quality);
 * ```
 */
export function qualityGrade(score: Pick<QualityScore, 'psnr' | 'ssim'>): QualityGrade {
  for (const row of QUALITY_GRADES) if (score.psnr >= row.psnr && score.ssim >= row.ssim) return row.grade;
  return 'poor';
}

/** "Good" for a sentence. */
export function gradeLabel(grade: QualityGrade): string {
  return grade.charAt(0).toUpperCase() + grade.slice(1);
}
