import { describe, expect, it } from 'vitest'
import path from 'node:path'
import { isInside, resolveInDataDir } from '../../../src/main/app/paths'

describe('data-directory confinement', () => {
  const root = path.resolve('/data/editorbot')
  it('accepts paths inside', () => {
    expect(resolveInDataDir(root, 'renders/edit-1.wav')).toBe(path.join(root, 'renders/edit-1.wav'))
    expect(resolveInDataDir(root, 'a/../b.wav')).toBe(path.join(root, 'b.wav'))
    expect(isInside(root, root)).toBe(true)
  })
  it('refuses escapes, absolute paths outside, sibling prefixes and NUL bytes', () => {
    expect(resolveInDataDir(root, '../secret')).toBeNull()
    expect(resolveInDataDir(root, 'renders/../../../etc/passwd')).toBeNull()
    expect(resolveInDataDir(root, '/etc/passwd')).toBeNull()
    expect(resolveInDataDir(root, '../editorbot-other/x')).toBeNull()
    expect(resolveInDataDir(root, 'a\0b')).toBeNull()
  })
})
