export function isBuildFresh(inputTimes: ReadonlyArray<number | undefined>, outputTimes: ReadonlyArray<number | undefined>): boolean;
