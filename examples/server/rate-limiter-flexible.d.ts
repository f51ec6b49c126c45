// rate-limiter-flexible types its package root only; rate-limiter.ts imports the memory limiter's own
// file so that an edge bundle does not pull in the Node-only limiters.
declare module 'rate-limiter-flexible/lib/RateLimiterMemory.js' {
  import { RateLimiterMemory } from 'rate-limiter-flexible';
  export default RateLimiterMemory;
}
