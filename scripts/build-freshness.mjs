/**
 * Whether a build is still good: every output exists and is newer than every input (modification times
 * in ms; `undefined` for a file that is not there). A missing input (deleted since) counts as a change.
 */
export function isBuildFresh(inputTimes, outputTimes) {
  if (outputTimes.length === 0 || outputTimes.some((time) => time === undefined)) return false;
  if (inputTimes.some((time) => time === undefined)) return false;
  return Math.min(...outputTimes) > Math.max(...inputTimes, -Infinity);
}
