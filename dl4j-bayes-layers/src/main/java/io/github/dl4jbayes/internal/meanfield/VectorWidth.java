package io.github.dl4jbayes.internal.meanfield;

/** The Vector API's preferred width on this CPU; loaded only where the module is present ({@link VectorSupport}). */
final class VectorWidth {
    private VectorWidth() {
    }

    /** @return the bits of the preferred float vector shape on this CPU */
    static int bits() {
        return VectorMath.F.vectorBitSize();
    }
}
