// The part of jstat (MIT, no bundled types) that the statistics use.
declare module 'jstat' {
  const jStat: {
    chisquare: { cdf(x: number, degreesOfFreedom: number): number };
  };
  export default jStat;
}
