// Stands in for @apollo/utils.createhash inside the bundle (scripts/bundle.mjs). That package
// uses Node's crypto only when `module.require` exists, which a bundled CommonJS module does not
// have, so in the bundle Apollo hashed every query (its document cache key) with sha.js, a
// JavaScript SHA-256: 2.2 µs against 0.9 µs per hash here. Same function, same results.
export { createHash } from "node:crypto";
