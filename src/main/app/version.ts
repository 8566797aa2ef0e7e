/** Injected by the bundler in packaged builds; read from package.json when running from source. */
import pkg from '../../../package.json' with { type: 'json' }

export const APP_VERSION: string = pkg.version
