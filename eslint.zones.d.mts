import type { Linter } from 'eslint'

export declare const importZones: Linter.Config[]
