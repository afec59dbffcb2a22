import '#sandbox/polyfills.js';
// Powertools Metrics would print EMF to stdout when its buffer fills (unit tests call steps directly).
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
