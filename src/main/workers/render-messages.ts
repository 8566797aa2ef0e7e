import type { AppError } from '../../shared/result'

export interface RenderRequest {
  id: number
  editId: number
}

export type RenderReply =
  | {
      id: number
      ok: true
      value: { editId: number; renderPath: string; durationS: number; loudnessLufs: number | null }
    }
  | { id: number; ok: false; error: AppError }
