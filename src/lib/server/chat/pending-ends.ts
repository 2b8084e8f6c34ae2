/**
 * Replies that have ended but whose last write waits for the database (see persist.ts). Until
 * it succeeds their row still says `streaming`, which would make the chat look busy.
 */
export interface PendingEnd {
	userId: string;
	chatId: string;
	/** Tries the last write now (joining a try in progress); true once stored. */
	attempt(): Promise<boolean>;
}

const pending = new Map<number, PendingEnd>();

export const addPending = (messageId: number, p: PendingEnd) => void pending.set(messageId, p);
export const removePending = (messageId: number) => void pending.delete(messageId);

/**
 * Before a chat is checked for a reply still `streaming`: tries the waiting last writes now,
 * so the chat is usable as soon as the database is back.
 */
export async function settlePending(userId: string, chatId?: string) {
	const mine = [...pending.values()].filter((p) => p.userId === userId && (!chatId || p.chatId === chatId));
	await Promise.all(mine.map((p) => p.attempt()));
}

/** On shutdown: gives the waiting last writes up to `ms` to succeed. */
export async function drainPending(ms: number) {
	const deadline = Date.now() + ms;
	while (pending.size && Date.now() < deadline) {
		await Promise.all([...pending.values()].map((p) => p.attempt()));
		if (pending.size) await new Promise((r) => setTimeout(r, 250));
	}
}
