// Gives the bundled tests a CommonJS `require`. esbuild bundles test/*.test.ts
// as ES modules, where `require` does not exist, and turns the require()
// calls it cannot resolve at build time into a shim that throws unless a
// global `require` exists when it is called. TensorFlow.js's ES build calls
// require('util') when it loads in Node (platform_node.js, new PlatformNode()),
// so a test that bundles @tensorflow/tfjs-core imports this module BEFORE it:
// ES modules run in import order, and the bundle keeps that order.
import { createRequire } from 'node:module';

globalThis.require ??= createRequire(import.meta.url);
