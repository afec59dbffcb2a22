import '../sandbox/polyfills.js';
