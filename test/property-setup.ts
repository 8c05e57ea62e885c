/**
 * Property tests explore new inputs on every local run. In CI (CI=true) they replay one fixed seed,
 * so a landing is judged on the same cases every time; a failure anywhere prints its seed and
 * counterexample, and FC_SEED=<seed> replays it locally.
 */
import fc from 'fast-check';

const seed = process.env.FC_SEED ?? (process.env.CI === 'true' ? '20261130' : undefined);
if (seed !== undefined) fc.configureGlobal({ seed: Number(seed) });
