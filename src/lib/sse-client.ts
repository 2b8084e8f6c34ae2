/** Reads an SSE response body and calls `onEvent` per complete event. Browser-side. */
export async function readEvents(
	response: Response,
	onEvent: (event: string, data: any) => void,
	signal?: AbortSignal
): Promise<void> {
	const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
	const cancel = () => reader.cancel().catch(() => {});
	signal?.addEventListener('abort', cancel);
	let buffer = '';
	try {
		for (;;) {
			const { value, done } = await reader.read();
			if (done) break;
			buffer += value;
			let end: number;
			while ((end = buffer.indexOf('\n\n')) >= 0) {
				const block = buffer.slice(0, end);
				buffer = buffer.slice(end + 2);
				let event = 'message';
				let data = '';
				for (const line of block.split('\n')) {
					if (line.startsWith('event:')) event = line.slice(6).trim();
					else if (line.startsWith('data:')) data += line.slice(5).trim();
				}
				onEvent(event, data ? JSON.parse(data) : null);
			}
		}
	} finally {
		signal?.removeEventListener('abort', cancel);
	}
}
