import { type AiConfig, resolveConfig } from '../../src/config';

/** A key that must never show up in a response, an event or a log line. */
export const TEST_AI_KEY = 'sk-test-DO-NOT-LEAK-7f3a9c';

/**
 * AI settings for server tests: a configured provider (nothing listens at its address) whose
 * driver is off, so a test plays the AI itself through handleMessage with aiSender.
 */
export function aiSettings(overrides: Partial<AiConfig> = {}): AiConfig {
  return {
    ...resolveConfig({}, {}).ai,
    baseUrl: 'http://127.0.0.1:9/v1',
    model: 'test-model-1',
    apiKey: TEST_AI_KEY,
    vendor: 'gpt',
    name: 'Test AI',
    driver: false,
    ...overrides,
  };
}
