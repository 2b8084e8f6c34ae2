import type { Generation, ReplySource, StopReason } from './generation';

/**
 * Where replies in flight are found. The in-process registry below is the default; a shared
 * one (Redis) can take its place with `useRegistry` so that many processes see one truth:
 * who is busy, what can be followed, and who must stop.
 */
export interface GenerationRegistry {
	/** Reserves the chat for one reply; false when a reply is already being generated there. */
	claimChat(chatId: string): Promise<boolean>;
	releaseChat(chatId: string): Promise<void>;
	/** A generation this process runs, from its start until its end has been stored. */
	add(g: Generation): void;
	remove(g: Generation): void;
	/** A reply in flight to follow live, if there is one. */
	follow(userId: string, chatId: string, messageId: number): Promise<ReplySource | undefined>;
	/** Ends a reply in flight; resolves once it has ended (false when nothing was running). */
	stop(userId: string, chatId: string, messageId: number, reason: StopReason): Promise<boolean>;
	/** Generations this process runs. */
	local(): Generation[];
}

export class InProcessRegistry implements GenerationRegistry {
	private byMessage = new Map<number, Generation>();
	private busyChats = new Set<string>();

	// Check and reserve happen before the first await: two sends cannot both pass.
	async claimChat(chatId: string) {
		if (this.busyChats.has(chatId)) return false;
		this.busyChats.add(chatId);
		return true;
	}

	async releaseChat(chatId: string) {
		this.busyChats.delete(chatId);
	}

	add(g: Generation) {
		this.byMessage.set(g.messageId, g);
	}

	remove(g: Generation) {
		if (this.byMessage.get(g.messageId) === g) this.byMessage.delete(g.messageId);
	}

	private find(userId: string, chatId: string, messageId: number) {
		const g = this.byMessage.get(messageId);
		return g && g.userId === userId && g.chatId === chatId ? g : undefined;
	}

	async follow(userId: string, chatId: string, messageId: number) {
		return this.find(userId, chatId, messageId);
	}

	async stop(userId: string, chatId: string, messageId: number, reason: StopReason) {
		const g = this.find(userId, chatId, messageId);
		if (!g) return false;
		g.stop(reason);
		await g.finished;
		return true;
	}

	local() {
		return [...this.byMessage.values()];
	}
}

let current: GenerationRegistry = new InProcessRegistry();

export const registry = () => current;

/** Swaps the registry (at start, before any reply); a shared one spans processes. */
export function useRegistry(next: GenerationRegistry) {
	current = next;
}
