/** Serve-mode uploads land in <data>/uploads/<unique>/<name> until 'songs.import' copies them into songs/. */
export const UPLOADS_DIR = 'uploads'
