/**
 * Data loading for every view: TanStack Query caches each request under a key, and the main side's
 * events (WebSocket in serve mode, IPC in Electron) invalidate the keys they make stale. A newer fetch
 * of a key always wins over a slower stale one, so a late response never overwrites fresher data.
 */
import { useEffect } from 'react'
import { QueryCache, QueryClient, useQuery, type UseQueryResult } from '@tanstack/react-query'
import { api, request } from './client'
import type { RequestInput, RequestName, ResponseOf } from '../../../shared/api'

export const queryKeys = {
  songs: () => ['songs.list'] as const,
  beats: (songId: number) => ['songs.beats', songId] as const,
  waveform: (songId: number) => ['songs.waveform', songId] as const,
  edits: (songId: number) => ['edits.list', songId] as const,
  edit: (editId: number) => ['edits.get', editId] as const,
  jobs: () => ['jobs.list'] as const,
  annotatorStats: (annotatorId: number) => ['annotators.stats', annotatorId] as const
}

/** One client for the app; request errors go to `onError` (the toast boundary) once per failed fetch. */
export function createQueryClient(onError: (message: string) => void): QueryClient {
  return new QueryClient({
    queryCache: new QueryCache({ onError: (e) => onError(e instanceof Error ? e.message : String(e)) }),
    defaultOptions: {
      // Events say when data changed: no refetch on focus, and a failed request is reported, not retried.
      queries: { retry: false, refetchOnWindowFocus: false, staleTime: 30_000 }
    }
  })
}

/** Subscribes the client to the main side's events for the component's lifetime. */
export function useInvalidationByEvents(client: QueryClient): void {
  useEffect(() => {
    const offs = [
      api.on('songs.changed', () => void client.invalidateQueries({ queryKey: queryKeys.songs() })),
      api.on('edits.changed', (e) => void client.invalidateQueries({ queryKey: queryKeys.edits(e.songId) })),
      api.on('job.state', (e) => {
        void client.invalidateQueries({ queryKey: queryKeys.jobs() })
        if (e.kind === 'songs.analyse' || e.kind === 'demo.library')
          void client.invalidateQueries({ queryKey: queryKeys.songs() })
      }),
      api.on('pairs.changed', () => void client.invalidateQueries({ queryKey: ['annotators.stats'] }))
    ]
    return () => offs.forEach((off) => off())
  }, [client])
}

/** A request as a query: `key` names it in the cache, `input` is what is sent; null input disables it. */
export function useApiQuery<K extends RequestName>(
  key: readonly unknown[],
  name: K,
  input: RequestInput<K> | null,
  opts: { refetchIntervalMs?: number } = {}
): UseQueryResult<ResponseOf<K>> {
  return useQuery({
    queryKey: key,
    queryFn: () => request(name, input as RequestInput<K>),
    enabled: input !== null,
    ...(opts.refetchIntervalMs !== undefined ? { refetchInterval: opts.refetchIntervalMs } : {})
  })
}
