/**
 * Per-song feature matrices written beside exported preferences, one NumPy .npy file per song
 * (format 1.0, little-endian float32, C order, shape [beats, 125]; `numpy.load` reads it, as
 * scripts/python/train_reward_ddp.py does).
 */
import fs from 'node:fs'
import path from 'node:path'
import type { Db } from '../../db/connection'
import * as songsQ from '../../db/queries/songs'
import { AppFailure } from '../../../shared/result'

export const FEATURES_DIR = 'features'

/** Relative path (with forward slashes) of a song's features file under the export folder. */
export const featuresFileName = (songId: number): string => `${FEATURES_DIR}/song-${songId}.npy`

export function npyBytes(data: Float32Array, shape: readonly number[]): Buffer {
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ')
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${dims}), }`
  // magic(6) + version(2) + header length(2) + header, padded with spaces to 64 bytes and ended by '\n'.
  const total = Math.ceil((10 + header.length + 1) / 64) * 64
  header = header.padEnd(total - 10 - 1, ' ') + '\n'
  const head = Buffer.alloc(10)
  head.write('\x93NUMPY', 0, 'latin1')
  head[6] = 1
  head[7] = 0
  head.writeUInt16LE(header.length, 8)
  const body = Buffer.alloc(data.length * 4)
  for (let i = 0; i < data.length; i++) body.writeFloatLE(data[i]!, i * 4)
  return Buffer.concat([head, Buffer.from(header, 'latin1'), body])
}

export interface FeaturesFile {
  songId: number
  file: string
  beats: number
  dim: number
  featureVersion: number
}

/** Writes the features of each song under `outDir/features/`; returns what was written per song. */
export function writeFeaturesFiles(db: Db, outDir: string, songIds: Iterable<number>): Map<number, FeaturesFile> {
  const written = new Map<number, FeaturesFile>()
  for (const songId of songIds) {
    if (written.has(songId)) continue
    const a = songsQ.loadAnalysis(db, songId)
    if (!a) throw new AppFailure('not_found', `song ${songId} has no analysis, so it has no features to export`)
    const beats = a.features.length / a.featureDim
    const file = featuresFileName(songId)
    const target = path.join(outDir, file)
    fs.mkdirSync(path.dirname(target), { recursive: true })
    const tmp = `${target}.${process.pid}.tmp`
    fs.writeFileSync(tmp, npyBytes(a.features, [beats, a.featureDim]))
    fs.renameSync(tmp, target)
    written.set(songId, { songId, file, beats, dim: a.featureDim, featureVersion: a.featureVersion })
  }
  return written
}
