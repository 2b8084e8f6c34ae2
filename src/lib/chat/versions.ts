/** Where a shown message stands among its turn's versions (as `chats.get` reports it). */
export interface Versions {
	index: number;
	count: number;
	prev: number | null;
	next: number | null;
}
