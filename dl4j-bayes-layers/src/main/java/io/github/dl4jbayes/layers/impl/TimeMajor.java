package io.github.dl4jbayes.layers.impl;

import org.deeplearning4j.nn.conf.RNNFormat;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Sequences as time-major rows and back, for the recurrent layers: {@code [B, F, T]} (NCW) or {@code [B, T, F]} (NWC)
 * as {@code [T * B, F]} with the rows of step {@code t} at {@code t * B .. (t + 1) B}, so that what does not recur is
 * one matrix product for the whole sequence.
 */
final class TimeMajor {
    private TimeMajor() {
    }

    /** @return the number of time steps of {@code sequences} */
    static long steps(INDArray sequences, RNNFormat format) {
        return sequences.size(format == RNNFormat.NWC ? 1 : 2);
    }

    /** @return the feature size of {@code sequences} */
    static long features(INDArray sequences, RNNFormat format) {
        return sequences.size(format == RNNFormat.NWC ? 2 : 1);
    }

    /** @return {@code sequences} as a {@code [T, B, F]} view */
    static INDArray view(INDArray sequences, RNNFormat format) {
        return format == RNNFormat.NWC ? sequences.permute(1, 0, 2) : sequences.permute(2, 0, 1);
    }

    /** @return a time-major copy {@code [T, B, F]} viewed as rows {@code [T * B, F]} (in the current workspace) */
    static INDArray rows(INDArray sequences, RNNFormat format) {
        return asRows(view(sequences, format).dup('c'));
    }

    /** @return a c-order {@code [T, B, F]} array viewed as rows {@code [T * B, F]} */
    static INDArray asRows(INDArray timeMajor) {
        return timeMajor.reshape('c', timeMajor.size(0) * timeMajor.size(1), timeMajor.size(2));
    }

    /** @return time-major rows {@code [T * B, F]} as a view in the layer's format, {@code [B, F, T]} or {@code [B, T, F]} */
    static INDArray sequences(INDArray rows, long steps, long batch, RNNFormat format) {
        INDArray t3 = rows.reshape('c', steps, batch, rows.size(1));
        return format == RNNFormat.NWC ? t3.permute(1, 0, 2) : t3.permute(1, 2, 0);
    }

    /**
     * @return a mask {@code [B, T]} as a time-major column {@code [T * B, 1]} (a copy in the current workspace); a
     *         column (or null) is returned as it is
     */
    static INDArray maskRows(INDArray mask) {
        if (mask == null || mask.rank() != 2 || mask.size(1) == 1) {
            return mask;
        }
        return mask.transpose().dup('c').reshape('c', mask.length(), 1);
    }
}
