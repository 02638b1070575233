/** Config checks shared by every layer; messages name the field, the bad value and what is allowed. */

export function requirePositiveInt(layer: string, field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new Error(`${layer}: ${field} must be a positive integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

export function requireRate(layer: string, field: string, value: unknown): number {
  if (typeof value !== 'number' || !(value >= 0 && value < 1)) {
    throw new Error(`${layer}: ${field} must be a number in [0, 1), got ${JSON.stringify(value)}`);
  }
  return value;
}

export function requirePositive(layer: string, field: string, value: unknown): number {
  if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value)) {
    throw new Error(`${layer}: ${field} must be a finite number > 0, got ${JSON.stringify(value)}`);
  }
  return value;
}

export function requireBoolean(layer: string, field: string, value: unknown): boolean {
  if (typeof value !== 'boolean') {
    throw new Error(`${layer}: ${field} must be true or false, got ${JSON.stringify(value)}`);
  }
  return value;
}
