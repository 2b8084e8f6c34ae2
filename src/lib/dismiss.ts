/**
 * `use:dismiss` on a `<details>` menu: a tap or click outside it, or Escape, closes it, as
 * people expect of a menu. Without JavaScript the menu still opens and closes by its summary.
 */
export function dismiss(node: HTMLDetailsElement) {
	const onPointer = (event: PointerEvent) => {
		if (node.open && !node.contains(event.target as Node)) node.open = false;
	};
	const onKey = (event: KeyboardEvent) => {
		if (event.key !== 'Escape' || !node.open) return;
		node.open = false;
		if (node.contains(document.activeElement)) node.querySelector('summary')?.focus();
	};
	document.addEventListener('pointerdown', onPointer);
	document.addEventListener('keydown', onKey);
	return {
		destroy() {
			document.removeEventListener('pointerdown', onPointer);
			document.removeEventListener('keydown', onKey);
		}
	};
}
