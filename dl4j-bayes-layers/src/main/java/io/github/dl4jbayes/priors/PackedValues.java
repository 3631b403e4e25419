package io.github.dl4jbayes.priors;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A per-parameter array of a prior as it is stored in the layer configuration's JSON: one base64 string (Jackson
 * writes a {@code byte[]} so), of 4 bytes per value when every value is exactly a float (as a float network's weights
 * are), of 8 otherwise; little-endian, after a one-byte tag ({@code 'f'} or {@code 'd'}). A 784-400-400-10 network's
 * means take 1.7 MB of JSON this way, against about 4 MB as a list of decimal numbers.
 */
final class PackedValues {
    private PackedValues() {
    }

    static byte[] pack(double[] values) {
        if (values == null) {
            return null;
        }
        boolean floats = true;
        for (double v : values) {
            if ((double) (float) v != v) {
                floats = false;
                break;
            }
        }
        ByteBuffer buffer = ByteBuffer.allocate(1 + values.length * (floats ? 4 : 8)).order(ByteOrder.LITTLE_ENDIAN);
        buffer.put((byte) (floats ? 'f' : 'd'));
        for (double v : values) {
            if (floats) {
                buffer.putFloat((float) v);
            } else {
                buffer.putDouble(v);
            }
        }
        return buffer.array();
    }

    static double[] unpack(byte[] packed, String what) {
        if (packed == null) {
            return null;
        }
        if (packed.length == 0 || (packed[0] != 'f' && packed[0] != 'd')
                || (packed.length - 1) % (packed[0] == 'f' ? 4 : 8) != 0) {
            throw new IllegalArgumentException(what + ": not a packed array of floats or doubles");
        }
        boolean floats = packed[0] == 'f';
        ByteBuffer buffer = ByteBuffer.wrap(packed, 1, packed.length - 1).order(ByteOrder.LITTLE_ENDIAN);
        double[] values = new double[(packed.length - 1) / (floats ? 4 : 8)];
        for (int i = 0; i < values.length; i++) {
            values[i] = floats ? buffer.getFloat() : buffer.getDouble();
        }
        return values;
    }
}
