/**
 * A run's record of the tester's cases (FlowOptions.testerPlayed) that holds every case already: a flow
 * given it plays none, as the later flows of a normal run play none of the cases an earlier flow played.
 * The tester is not part of a load test; what every flow plays regardless (the connection without a client
 * certificate to a real role) still runs.
 */
export class EveryCasePlayed extends Set<string> {
  override has(_key: string): boolean {
    return true;
  }
}
