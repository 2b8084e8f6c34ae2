/**
 * The response header naming (as an opaque tag) the person a page was made for. The service
 * worker keeps offline copies of one person's pages only: a page for someone else makes it
 * forget the copies it holds.
 */
export const IDENTITY_HEADER = 'x-oreai-identity';
