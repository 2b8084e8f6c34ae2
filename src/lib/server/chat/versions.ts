import { db } from '../db';
import type { Message } from '../db/schema';
import { DomainError, notFound } from '../errors';
import {
	deleteMessages,
	findMessage,
	hasStreamingReply,
	hideFrom,
	showMessages,
	treeFrom,
	versionSiblings,
	type TreeNode
} from './messages';

/**
 * Versions of a turn: an edited message of the person, or another answer to the same
 * message. The shown branch is one path through the chat's tree; these operations move it.
 */

export interface VersionInfo {
	/** 1-based position of this version among its turn's versions, oldest first. */
	index: number;
	count: number;
	prev: number | null;
	next: number | null;
}

/** For each shown message that has other versions: where it stands among them. */
export async function versionsOf(
	userId: string,
	chatId: string,
	shown: Pick<Message, 'id' | 'versionOf'>[]
): Promise<Record<number, VersionInfo>> {
	const rows = await versionSiblings(userId, chatId, shown);
	const groups = new Map<number, number[]>();
	for (const r of rows) {
		const key = r.versionOf ?? r.id;
		groups.set(key, [...(groups.get(key) ?? []), r.id]);
	}
	const out: Record<number, VersionInfo> = {};
	for (const m of shown) {
		const ids = groups.get(m.versionOf ?? m.id) ?? [];
		const i = ids.indexOf(m.id);
		if (ids.length > 1 && i >= 0) {
			out[m.id] = { index: i + 1, count: ids.length, prev: ids[i - 1] ?? null, next: ids[i + 1] ?? null };
		}
	}
	return out;
}

const busy = () => new DomainError('chat_busy', 'A reply is still being generated in this chat');

/** From `id` down, each time the newest child: the branch last added under that message. */
function newestBranch(nodes: TreeNode[], id: number) {
	const children = new Map<number, number>();
	for (const n of nodes)
		if (n.parentId !== null) children.set(n.parentId, Math.max(children.get(n.parentId) ?? 0, n.id));
	const path = [id];
	for (let next = children.get(id); next !== undefined; next = children.get(next)) path.push(next);
	return path;
}

const groupOf = (n: Pick<TreeNode, 'id' | 'versionOf'>) => n.versionOf ?? n.id;

/** Shows version `messageId` of its turn, with the newest conversation that followed it. */
export async function showVersion(userId: string, chatId: string, messageId: number) {
	const target = await findMessage(userId, chatId, messageId);
	if (!target) throw notFound('message');
	if (target.active) return { id: messageId };
	if (await hasStreamingReply(userId, chatId)) throw busy();
	const nodes = await treeFrom(db, userId, chatId, groupOf(target));
	const current = nodes.find((n) => n.active && groupOf(n) === groupOf(target));
	// A version of a turn that is itself on a hidden branch: show that branch first.
	if (!current) throw notFound('message');
	await db.transaction(async (tx) => {
		await hideFrom(tx, userId, chatId, current.id);
		await showMessages(tx, userId, chatId, newestBranch(nodes, target.id));
	});
	return { id: messageId };
}

/**
 * Deletes a message with everything that followed it, on every branch. If its turn has
 * other versions, the newest one left takes its place on show.
 */
export async function deleteMessage(userId: string, chatId: string, messageId: number) {
	const target = await findMessage(userId, chatId, messageId);
	if (!target) throw notFound('message');
	if (await hasStreamingReply(userId, chatId)) throw busy();
	const nodes = await treeFrom(db, userId, chatId, groupOf(target));
	const doomed = new Set<number>([target.id]);
	for (const n of nodes) {
		const follows = n.parentId !== null && doomed.has(n.parentId);
		// Rows from before versions have no parent: on show, what comes after is what followed.
		const shownAfter = target.active && n.active && n.id > target.id;
		if (follows || shownAfter) doomed.add(n.id);
	}
	const heir = target.active
		? nodes.filter((n) => groupOf(n) === groupOf(target) && !doomed.has(n.id)).at(-1)
		: undefined;
	await db.transaction(async (tx) => {
		await deleteMessages(tx, userId, chatId, [...doomed]);
		if (heir) {
			const left = nodes.filter((n) => !doomed.has(n.id));
			await showMessages(tx, userId, chatId, newestBranch(left, heir.id));
		}
	});
	return { id: messageId, deleted: doomed.size };
}
