import { invalid } from '../core/errors.ts';
import type { AssetType } from '../store/types.ts';

/**
 * Validates an asset's flex model for its type before it is stored. The field rules live with the scheduler
 * (`src/flex/`); until a type has rules there, any JSON object is kept as given.
 */
export function checkFlexModel(type: AssetType, model: Record<string, unknown>): Record<string, unknown> {
  if (model === null || typeof model !== 'object' || Array.isArray(model)) throw invalid('flexModel', `must be an object for a ${type}`);
  return model;
}
