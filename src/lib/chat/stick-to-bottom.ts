import { tick } from 'svelte';

/** Within this many pixels of the end, the reader counts as "at the bottom". */
const NEAR_END_PX = 80;

/**
 * Keeps a scrolling element at its end while a reply grows, until the reader scrolls up.
 * `use:stick.action` on the scroller; `follow()` after content changes, `pin()` when the
 * reader sends a new message, `keepPlace()` when content is inserted above.
 */
export class StickToBottom {
	#el: HTMLElement | undefined;
	#stuck = true;
	// Where this scroller last moved itself to: anything above it was the reader's doing,
	// even when their scroll event has not been handled yet.
	#autoTop = -1;

	/** The Svelte action: starts at the end and watches the reader's scrolling. */
	action = (node: HTMLElement) => {
		this.#el = node;
		node.scrollTop = node.scrollHeight;
		this.#autoTop = node.scrollTop;
		const onScroll = () => {
			if (node.scrollHeight - node.scrollTop - node.clientHeight < NEAR_END_PX) this.#stuck = true;
			else if (this.#scrolledUp(node)) this.#stuck = false;
		};
		node.addEventListener('scroll', onScroll, { passive: true });
		// A streaming reply is painted a frame after its text arrives (and code highlighting can
		// grow it later still): follow the content's size, not only the arrivals.
		const grown = new ResizeObserver(() => this.#toEnd(node));
		for (const child of node.children) grown.observe(child);
		return {
			destroy: () => {
				grown.disconnect();
				node.removeEventListener('scroll', onScroll);
				if (this.#el === node) this.#el = undefined;
			}
		};
	};

	#scrolledUp(el: HTMLElement) {
		return this.#autoTop >= 0 && el.scrollTop < this.#autoTop - 4;
	}

	/** After the DOM has updated, goes to the end unless the reader has scrolled away. */
	async follow() {
		await tick();
		if (this.#el) this.#toEnd(this.#el);
	}

	#toEnd(el: HTMLElement) {
		if (!this.#stuck) return;
		if (this.#scrolledUp(el)) {
			this.#stuck = false;
			return;
		}
		el.scrollTop = el.scrollHeight;
		this.#autoTop = el.scrollTop;
	}

	/** A new turn starts: follow it to the end again. */
	pin() {
		this.#stuck = true;
		this.#autoTop = this.#el?.scrollTop ?? -1;
	}

	/** Runs `insert` (which adds content above) and keeps what the reader sees in place. */
	async keepPlace(insert: () => void) {
		const el = this.#el;
		const fromBottom = el ? el.scrollHeight - el.scrollTop : 0;
		insert();
		await tick();
		if (el) el.scrollTop = el.scrollHeight - fromBottom;
	}
}
