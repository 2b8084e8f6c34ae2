// The offline demo model is the project's mock upstream (tools/mock-upstream, reached through
// the package's `#mock-upstream` import), served in-process.
import { createMockHandler } from '#mock-upstream';

const demo = createMockHandler({ model: 'oreai-demo', ttftMs: 250, delayMs: 35, tokens: 120 });

export const demoFetch = (url: string | URL | Request, init?: RequestInit) => demo.handle(new Request(url, init));
