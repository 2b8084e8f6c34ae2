// Composition only: each concern lives in $lib/server/hooks/ (see init.ts, handle.ts, error.ts).
export { init } from '$lib/server/hooks/init';
export { handle } from '$lib/server/hooks/handle';
export { handleError } from '$lib/server/hooks/error';
