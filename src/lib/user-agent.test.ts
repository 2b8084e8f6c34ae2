import { describe, expect, it } from 'vitest';
import { deviceName } from './user-agent';

describe('deviceName', () => {
	it('names common phone and desktop browsers', () => {
		expect(
			deviceName(
				'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36'
			)
		).toBe('Chrome · Android');
		expect(
			deviceName(
				'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1'
			)
		).toBe('Safari · iPhone');
		expect(deviceName('Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0')).toBe(
			'Firefox · Windows'
		);
		expect(
			deviceName(
				'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36 Edg/126.0'
			)
		).toBe('Edge · macOS');
	});

	it('falls back to the raw text, shortened, and to nothing without a header', () => {
		expect(deviceName('curl/8.5.0')).toBe('curl/8.5.0');
		expect(deviceName(null)).toBeNull();
	});
});
