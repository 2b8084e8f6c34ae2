// Runs the mock upstream (tools/mock-upstream/server.js) on its own thread, so the
// bench's HTTP client and the mock do not share one event loop. Used by bench/run.js.
import { parentPort, workerData } from 'node:worker_threads';
import { startMockServer } from '#mock-upstream/server';

const mock = await startMockServer(workerData);
// Most streams the mock served at the same moment since the last `peak` question; sampled
// often enough for streams that last over a second.
let peak = 0;
setInterval(() => (peak = Math.max(peak, mock.handler.activeStreams)), 2).unref();
parentPort.postMessage({ type: 'ready', url: mock.url, port: mock.port });
parentPort.on('message', async (m) => {
	if (m?.type === 'stats') {
		parentPort.postMessage({
			type: 'stats',
			activeStreams: mock.handler.activeStreams,
			requests: mock.handler.requests.length
		});
	} else if (m?.type === 'peak') {
		parentPort.postMessage({ type: 'peak', peak });
		peak = mock.handler.activeStreams;
	} else if (m?.type === 'clearRequests') {
		mock.handler.requests.length = 0;
		parentPort.postMessage({ type: 'cleared' });
	} else if (m?.type === 'requestTimes') {
		// Date.now() at which each recorded chat completion request reached the mock, and
		// whether it asked for a stream (replies) or not (e.g. the app's title requests).
		parentPort.postMessage({
			type: 'requestTimes',
			requests: mock.handler.requests.map((r) => ({ time: r.time, stream: r.body?.stream === true }))
		});
	} else if (m?.type === 'close') {
		await mock.close();
		parentPort.postMessage({ type: 'closed' });
		parentPort.close();
	}
});
