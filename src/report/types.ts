/** The reporter contract: a function of the finished analysis (ESLint formatter style). */
import type { AnalysisResult } from '../findings/result.js';

export interface ReportContext {
  /** ANSI colours allowed (a TTY and no NO_COLOR); JSON-like formats ignore it. */
  color: boolean;
  /** Findings only: no header, no top queries. */
  quiet: boolean;
  /** Terminal width to lay text out for. */
  width: number;
}

export interface Reporter {
  id: string;
  summary: string;
  render(result: AnalysisResult, ctx: ReportContext): string;
}

export function defineReporter(r: Reporter): Reporter {
  return r;
}
