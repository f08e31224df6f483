import type { AiInfo } from '@codevf/protocol';

/** The AI's terms as GET /v1/ai gives them: Codie, some free minutes left today, then paid. */
export const AI_TERMS: AiInfo = {
  available: true,
  name: 'Codie',
  model: 'qwen2.5-coder',
  vendor: 'other',
  freeMinutesPerDay: 30,
  freeMinutesLeft: 12,
  aiCreditsPerMinute: 2,
  humanCreditsPerMinute: 5,
};
