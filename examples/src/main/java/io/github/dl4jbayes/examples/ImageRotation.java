package io.github.dl4jbayes.examples;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Rotates flat single-channel images about their centre, as the rotated-MNIST shift benchmarks do (Ovadia et al. 2019):
 * bilinear interpolation, pixels that come from outside the image are 0 (the background of Fashion-MNIST).
 */
final class ImageRotation {
    private ImageRotation() {
    }

    /**
     * @param images  {@code [n, height * width]}, row-major images, one per row
     * @param height  image height
     * @param width   image width
     * @param degrees the angle, counter-clockwise as the image is displayed (rows downwards)
     * @return new {@code [n, height * width]} images of {@code images}' data type
     * @throws IllegalArgumentException if the sizes do not match or the angle is not finite
     */
    static INDArray rotate(INDArray images, int height, int width, double degrees) {
        if (height <= 0 || width <= 0 || images.rank() != 2 || images.size(1) != (long) height * width) {
            throw new IllegalArgumentException("images must be [n, height * width] = [n, " + height + " * " + width
                    + "], got shape " + java.util.Arrays.toString(images.shape()));
        }
        if (!Double.isFinite(degrees)) {
            throw new IllegalArgumentException("degrees must be finite, got " + degrees);
        }
        int n = (int) images.size(0);
        int pixels = height * width;
        double[] source = images.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        double[] target = new double[source.length];
        double theta = Math.toRadians(degrees);
        double cos = Math.cos(theta);
        double sin = Math.sin(theta);
        double cy = (height - 1) / 2.0;
        double cx = (width - 1) / 2.0;
        for (int r = 0; r < height; r++) {
            for (int c = 0; c < width; c++) {
                // the output pixel (r, c) shows the input at the point rotated back by the angle
                double sx = cos * (c - cx) - sin * (r - cy) + cx;
                double sy = sin * (c - cx) + cos * (r - cy) + cy;
                int x0 = (int) Math.floor(sx);
                int y0 = (int) Math.floor(sy);
                double fx = sx - x0;
                double fy = sy - y0;
                int out = r * width + c;
                for (int dy = 0; dy <= 1; dy++) {
                    for (int dx = 0; dx <= 1; dx++) {
                        int y = y0 + dy;
                        int x = x0 + dx;
                        double weight = (dx == 0 ? 1 - fx : fx) * (dy == 0 ? 1 - fy : fy);
                        if (y < 0 || y >= height || x < 0 || x >= width || weight == 0) {
                            continue;
                        }
                        int in = y * width + x;
                        for (int i = 0; i < n; i++) {
                            target[i * pixels + out] += weight * source[i * pixels + in];
                        }
                    }
                }
            }
        }
        return Nd4j.create(target, new long[]{n, pixels}, 'c').castTo(images.dataType());
    }
}
