package dev.cutover.loadgen;

/**
 * Which kind the n-th request of a run is. A pure function of the run-wide sequence number, so the
 * share of each kind is exact and two runs with the same settings issue the same mix.
 *
 * <p>When a number is a multiple of both, the upload wins: uploads are the rarer, costlier probe.
 */
record RequestMix(int slowEvery, int uploadEvery) {

    RequestKind kindOf(long sequence) {
        if (uploadEvery > 0 && sequence % uploadEvery == 0) {
            return RequestKind.UPLOAD;
        }
        if (slowEvery > 0 && sequence % slowEvery == 0) {
            return RequestKind.SLOW;
        }
        return RequestKind.NORMAL;
    }
}
