// The lifecycle statuses and EU AI Act risk tiers of an AI system: the vocabulary in which the
// governance rules (governed-changes.ts) say which moves need which approval. The inventory
// (modules/systems) stores them; it re-exports them from here.
export const SYSTEM_STATUSES = [
  'proposed',
  'in_development',
  'in_validation',
  'approved_for_use',
  'in_production',
  'restricted',
  'paused',
  'retired',
] as const;
export const EU_RISK_TIERS = ['prohibited', 'high', 'limited', 'minimal', 'unassessed'] as const;

export type SystemStatus = (typeof SYSTEM_STATUSES)[number];
export type EuRiskTier = (typeof EU_RISK_TIERS)[number];
