import { config } from '../config';
import { db } from '../db';
import type { ModelSettings } from '../db/schema';
import { DomainError } from '../errors';
import { insertChatCopy, type ChatCopy } from './copy';

/**
 * Bringing history in: a ChatGPT data export (`conversations.json`) or OreAI's own export
 * (/me/export). Parsing is pure; the whole import is written in one transaction, so a file
 * that fails half-way changes nothing.
 */

export type ImportFormat = 'chatgpt' | 'oreai';

export interface Skipped {
	title: string;
	reason: 'no_text' | 'not_a_conversation';
}

export interface ParsedImport {
	format: ImportFormat;
	chats: ChatCopy[];
	skipped: Skipped[];
	/** Messages left out inside imported chats: images, tool calls and output, hidden system turns. */
	skippedMessages: number;
}

/** Upper bounds that keep one import's transaction a sane size, whatever the file holds. */
export const MAX_IMPORT_CHATS = 5_000;
const MAX_CHAIN = 100_000;

const invalid = (why: string) => new DomainError('import_invalid', `Not a ChatGPT or OreAI export: ${why}`);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const dateFromSeconds = (v: unknown) =>
	typeof v === 'number' && Number.isFinite(v) && v > 0 ? new Date(Math.round(v * 1000)) : undefined;

function dateFromString(v: unknown) {
	if (typeof v !== 'string') return undefined;
	const d = new Date(v);
	return Number.isNaN(d.getTime()) ? undefined : d;
}

const titleOf = (v: unknown) => (typeof v === 'string' ? v.trim().slice(0, 200) : '');

export function parseImport(text: string): ParsedImport {
	let data: unknown;
	try {
		data = JSON.parse(text);
	} catch {
		throw invalid('the file is not JSON');
	}
	if (Array.isArray(data) && data.some((c) => isObject(c) && isObject(c.mapping))) {
		return parseChatGpt(data);
	}
	if (isObject(data) && Array.isArray(data.chats)) return parseOreAi(data.chats);
	throw invalid('neither a list of ChatGPT conversations nor an object with "chats"');
}

/**
 * ChatGPT keeps every branch of a conversation in `mapping`; the one the person last saw
 * ends at `current_node`. Walking `parent` links up from there and reversing gives the main
 * branch; only user and assistant turns with text parts are kept.
 */
function parseChatGpt(conversations: unknown[]): ParsedImport {
	if (conversations.length > MAX_IMPORT_CHATS) throw invalid(`more than ${MAX_IMPORT_CHATS} conversations`);
	const chats: ChatCopy[] = [];
	const skipped: Skipped[] = [];
	let skippedMessages = 0;
	for (const conv of conversations) {
		if (!isObject(conv) || !isObject(conv.mapping)) {
			skipped.push({ title: isObject(conv) ? titleOf(conv.title) : '', reason: 'not_a_conversation' });
			continue;
		}
		const title = titleOf(conv.title);
		const mapping = conv.mapping;
		let nodeId = typeof conv.current_node === 'string' ? conv.current_node : lastLeaf(mapping);
		const chain: Record<string, unknown>[] = [];
		const seen = new Set<string>();
		while (nodeId && !seen.has(nodeId) && chain.length < MAX_CHAIN) {
			seen.add(nodeId);
			const node = mapping[nodeId];
			if (!isObject(node)) break;
			chain.push(node);
			nodeId = typeof node.parent === 'string' ? node.parent : null;
		}
		if (chain.length === 0) {
			skipped.push({ title, reason: 'not_a_conversation' });
			continue;
		}
		const messages: ChatCopy['messages'] = [];
		for (const node of chain.reverse()) {
			const m = node.message;
			if (!isObject(m)) continue;
			const role = isObject(m.author) ? m.author.role : undefined;
			const hidden = isObject(m.metadata) && m.metadata.is_visually_hidden_from_conversation === true;
			if (role === 'system' || hidden) continue;
			const text = textOf(m.content);
			if ((role !== 'user' && role !== 'assistant') || !text) {
				skippedMessages += 1;
				continue;
			}
			messages.push({ role, content: text, createdAt: dateFromSeconds(m.create_time) });
		}
		if (messages.length === 0) {
			skipped.push({ title, reason: 'no_text' });
			continue;
		}
		const createdAt = dateFromSeconds(conv.create_time) ?? messages[0].createdAt;
		chats.push({
			title: title || messages[0].content.slice(0, 60),
			createdAt,
			updatedAt: dateFromSeconds(conv.update_time) ?? messages.at(-1)?.createdAt ?? createdAt,
			messages
		});
	}
	return { format: 'chatgpt', chats, skipped, skippedMessages };
}

/** Without `current_node`, the newest node without children ends the main branch. */
function lastLeaf(mapping: Record<string, unknown>): string | null {
	let best: { id: string; at: number } | null = null;
	for (const [id, node] of Object.entries(mapping)) {
		if (!isObject(node) || (Array.isArray(node.children) && node.children.length > 0)) continue;
		const at = isObject(node.message) && typeof node.message.create_time === 'number' ? node.message.create_time : 0;
		if (!best || at >= best.at) best = { id, at };
	}
	return best?.id ?? null;
}

/** Text parts only: images, files and other objects in `parts` are left out. */
function textOf(content: unknown): string {
	if (!isObject(content)) return '';
	const type = content.content_type;
	if (type !== 'text' && type !== 'multimodal_text') return '';
	if (!Array.isArray(content.parts)) return '';
	return content.parts
		.filter((p): p is string => typeof p === 'string')
		.join('\n')
		.trim();
}

const settingKeys = ['temperature', 'top_p', 'presence_penalty', 'frequency_penalty', 'max_tokens'] as const;

/** Only known model settings of the right type come in; anything else in the file is dropped. */
function cleanSettings(v: unknown): ModelSettings {
	if (!isObject(v)) return {};
	const out: ModelSettings = {};
	if (typeof v.model === 'string' && v.model.length <= 100) out.model = v.model;
	for (const k of settingKeys) if (typeof v[k] === 'number' && Number.isFinite(v[k])) out[k] = v[k] as number;
	return out;
}

function parseOreAi(list: unknown[]): ParsedImport {
	if (list.length > MAX_IMPORT_CHATS) throw invalid(`more than ${MAX_IMPORT_CHATS} chats`);
	const chats: ChatCopy[] = [];
	const skipped: Skipped[] = [];
	let skippedMessages = 0;
	for (const c of list) {
		if (!isObject(c) || !Array.isArray(c.messages)) {
			skipped.push({ title: isObject(c) ? titleOf(c.title) : '', reason: 'not_a_conversation' });
			continue;
		}
		const messages: ChatCopy['messages'] = [];
		for (const m of c.messages) {
			if (
				!isObject(m) ||
				(m.role !== 'user' && m.role !== 'assistant') ||
				typeof m.content !== 'string' ||
				!m.content.trim()
			) {
				skippedMessages += 1;
				continue;
			}
			messages.push({ role: m.role, content: m.content, createdAt: dateFromString(m.createdAt) });
		}
		const title = titleOf(c.title);
		if (messages.length === 0) {
			skipped.push({ title, reason: 'no_text' });
			continue;
		}
		const createdAt = dateFromString(c.createdAt) ?? messages[0].createdAt;
		chats.push({
			title: title || messages[0].content.slice(0, 60),
			systemPrompt: typeof c.systemPrompt === 'string' ? c.systemPrompt.slice(0, 60_000) : '',
			settings: cleanSettings(c.settings),
			createdAt,
			updatedAt: messages.at(-1)?.createdAt ?? createdAt,
			messages
		});
	}
	return { format: 'oreai', chats, skipped, skippedMessages };
}

export interface ImportReport {
	format: ImportFormat;
	chats: number;
	messages: number;
	skipped: Skipped[];
	skippedMessages: number;
}

/** Parses and writes the whole file in one transaction: all of it lands, or none. */
export async function importChats(userId: string, text: string): Promise<ImportReport> {
	if (Buffer.byteLength(text) > config().importLimitBytes) {
		throw new DomainError('import_too_large', 'The file is larger than the import limit');
	}
	const parsed = parseImport(text);
	await db.transaction(async (tx) => {
		for (const c of parsed.chats) await insertChatCopy(tx, userId, c);
	});
	return {
		format: parsed.format,
		chats: parsed.chats.length,
		messages: parsed.chats.reduce((n, c) => n + c.messages.length, 0),
		skipped: parsed.skipped.slice(0, 100),
		skippedMessages: parsed.skippedMessages
	};
}
