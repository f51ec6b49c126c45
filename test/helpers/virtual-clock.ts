// The virtual clock is part of the test kit: tests use the public one.
export { flush, VirtualClock, type MonotonicScheduler } from 'twilio-token-lifecycle/testing';
