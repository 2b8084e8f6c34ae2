import OpenAI from 'openai';
import { config } from '../config';
import { demoFetch } from './demo';
import { upstreamFetch } from './transport';

let client: OpenAI | undefined;

/**
 * The one OpenAI SDK client. Without OPENAI_API_KEY and OPENAI_BASE_URL it talks to the
 * built-in demo model through a custom fetch, so the demo takes the very same SDK path.
 */
export function llm(): OpenAI {
	if (client) return client;
	const c = config();
	client = c.demoModel
		? new OpenAI({ apiKey: 'demo', baseURL: 'http://demo.oreai.invalid/v1', fetch: demoFetch, maxRetries: 0 })
		: new OpenAI({
				apiKey: c.OPENAI_API_KEY ?? 'unset',
				baseURL: c.OPENAI_BASE_URL,
				fetch: upstreamFetch,
				maxRetries: 1,
				timeout: 120_000
			});
	return client;
}

export function modelName(settingsModel?: string) {
	const c = config();
	if (c.demoModel) return 'oreai-demo';
	return settingsModel || c.OPENAI_MODEL;
}
