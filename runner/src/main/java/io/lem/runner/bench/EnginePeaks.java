package io.lem.runner.bench;

/**
 * What the engine itself reaches on this machine, measured in the benchmark's own process (so the same natives,
 * threads and neighbours as the figures they are divided into).
 *
 * @param matmulFlopsPerSecond best float32 (or the compute dtype's) square matmul rate, FLOP/s (2·n³ per product)
 * @param matmulSize           n of the square product that reached it
 * @param matmulThreads        intra-op threads it ran with
 * @param readBytesPerSecond   best streaming read rate: a full reduction ({@code sum}) of an array far larger than
 *                             the caches, bytes of the array ÷ time
 * @param readArrayBytes       size of that array
 * @param readThreads          intra-op threads it ran with
 */
public record EnginePeaks(double matmulFlopsPerSecond, int matmulSize, int matmulThreads, double readBytesPerSecond,
        long readArrayBytes, int readThreads) {

    public EnginePeaks {
        if (!(matmulFlopsPerSecond > 0) || !(readBytesPerSecond > 0)) {
            throw new IllegalArgumentException("peaks must be positive, were " + matmulFlopsPerSecond + " FLOP/s and "
                    + readBytesPerSecond + " B/s");
        }
    }
}
