import '#sandbox/polyfills.js';
