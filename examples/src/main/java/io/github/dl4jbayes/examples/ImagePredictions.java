package io.github.dl4jbayes.examples;

import io.github.dl4jbayes.metrics.ClassificationMetrics;
import io.github.dl4jbayes.plot.Plots;
import io.github.dl4jbayes.predict.ClassificationUncertainty;
import io.github.dl4jbayes.predict.PosteriorPredictive;
import io.github.dl4jbayes.predict.PredictiveModel;
import io.github.dl4jbayes.predict.PredictiveSamples;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;

/**
 * Predictions of image classifiers in chunks of {@link #CHUNK} images (so that memory stays small), their scores on
 * rotated images, and the picture of the most and least certain images: the evaluation half of the {@code fashion}
 * example.
 */
final class ImagePredictions {
    private ImagePredictions() {
    }

    /** Class probabilities of a network for a batch of images. */
    interface Probabilities {
        INDArray of(INDArray x);
    }

    /** Rows per forward pass when predicting: a LeNet-5's activations of 10,000 images at once would take gigabytes. */
    static final int CHUNK = 1000;

    /** One network's scores at each rotation angle of the test images. */
    record RotationScores(double[] degrees, double[] accuracy, double[] nll, double[] ece) {
    }

    static RotationScores rotationScores(double[] angles, INDArray x, INDArray y, FashionMnist data,
                                                 Probabilities probabilities) {
        double[] accuracy = new double[angles.length];
        double[] nll = new double[angles.length];
        double[] ece = new double[angles.length];
        for (int k = 0; k < angles.length; k++) {
            INDArray rotated = ImageRotation.rotate(x, data.height(), data.width(), angles[k]);
            ClassificationMetrics m = ClassificationMetrics.of(probabilities.of(rotated), y);
            accuracy[k] = m.accuracy();
            nll[k] = m.negativeLogLikelihood();
            ece[k] = m.expectedCalibrationError(10);
        }
        return new RotationScores(angles, accuracy, nll, ece);
    }

    /**
     * Prints the rotation table (accuracy, NLL and ECE of both networks per angle), writes {@code rotation.csv} and
     * the picture of NLL and ECE against the angle.
     *
     * @return the picture's path
     */
    static Path reportRotation(RotationScores plain, RotationScores bayes, int samples, Path out) throws IOException {
        double[] angles = plain.degrees();
        System.out.printf(Locale.ROOT, "%8s %22s %22s %22s%n", "degrees", "accuracy plain/Bayes", "NLL plain/Bayes",
                "ECE plain/Bayes");
        List<String> csv = new ArrayList<>(List.of("degrees,plain_accuracy,plain_nll,plain_ece,bayes_accuracy,"
                + "bayes_nll,bayes_ece"));
        for (int k = 0; k < angles.length; k++) {
            System.out.printf(Locale.ROOT, "%8.0f %10.2f%% %10.2f%% %10.4f %10.4f %10.4f %10.4f%n", angles[k],
                    100 * plain.accuracy()[k], 100 * bayes.accuracy()[k], plain.nll()[k], bayes.nll()[k],
                    plain.ece()[k], bayes.ece()[k]);
            csv.add(String.format(Locale.ROOT, "%s,%s,%s,%s,%s,%s,%s", angles[k], plain.accuracy()[k], plain.nll()[k],
                    plain.ece()[k], bayes.accuracy()[k], bayes.nll()[k], bayes.ece()[k]));
        }
        Files.write(out.resolve("rotation.csv"), csv);
        List<String> nets = List.of("plain CNN", "Bayesian CNN (" + samples + " draws)");
        List<double[]> xs = List.of(angles, angles);
        return Plots.saveSideBySide(List.of(
                Plots.curves("NLL of the rotated test images", "rotation (degrees)", "NLL", nets, xs,
                        List.of(plain.nll(), bayes.nll()), false),
                Plots.curves("ECE (10 bins) of the rotated test images", "rotation (degrees)", "ECE", nets, xs,
                        List.of(plain.ece(), bayes.ece()), false)), out, "rotation_shift");
    }

    /** Prints one network's scores on the rotated images and writes them to {@code csv}. */
    static void reportRotation(String name, RotationScores scores, Path csv) throws IOException {
        System.out.printf(Locale.ROOT, "%s on the rotated images:%n%8s %10s %10s %10s%n", name, "degrees", "accuracy",
                "NLL", "ECE");
        List<String> lines = new ArrayList<>(List.of("degrees,accuracy,nll,ece"));
        for (int k = 0; k < scores.degrees().length; k++) {
            System.out.printf(Locale.ROOT, "%8.0f %9.2f%% %10.4f %10.4f%n", scores.degrees()[k],
                    100 * scores.accuracy()[k], scores.nll()[k], scores.ece()[k]);
            lines.add(String.format(Locale.ROOT, "%s,%s,%s,%s", scores.degrees()[k], scores.accuracy()[k],
                    scores.nll()[k], scores.ece()[k]));
        }
        Files.write(csv, lines);
    }

    /**
     * Parses {@code --rotations}: {@code none}, a list {@code 0,30,90}, or a range {@code from:to:step} (both ends
     * included when the steps reach them).
     */
    static double[] parseAngles(String text) {
        String t = text.trim();
        if (t.isEmpty() || "none".equalsIgnoreCase(t)) {
            return new double[0];
        }
        try {
            if (t.contains(":")) {
                String[] p = t.split(":");
                if (p.length != 3) {
                    throw new IllegalArgumentException("--rotations range must be from:to:step, got " + text);
                }
                double from = Double.parseDouble(p[0]);
                double to = Double.parseDouble(p[1]);
                double step = Double.parseDouble(p[2]);
                if (!(step > 0) || !(to >= from)) {
                    throw new IllegalArgumentException("--rotations range needs step > 0 and to >= from, got " + text);
                }
                int count = (int) Math.floor((to - from) / step + 1e-9) + 1;
                return IntStream.range(0, count).mapToDouble(i -> from + i * step).toArray();
            }
            return Arrays.stream(t.split(",")).mapToDouble(v -> Double.parseDouble(v.trim())).toArray();
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--rotations must be none, a list of angles or from:to:step, got "
                    + text);
        }
    }

    /**
     * The most and least certain test images by the Bayesian network's mutual information, among the test images of
     * the training classes and of the held-out classes together.
     */
    static Path certaintyGrid(FashionMnist data, Predictive test, Predictive ood, int k, Path out) {
        int nTest = test.mutualInformation().length;
        int nOod = ood == null ? 0 : ood.mutualInformation().length;
        double[] mi = new double[nTest + nOod];
        System.arraycopy(test.mutualInformation(), 0, mi, 0, nTest);
        if (ood != null) {
            System.arraycopy(ood.mutualInformation(), 0, mi, nTest, nOod);
        }
        int shown = Math.min(k, mi.length / 2);
        if (shown == 0) {
            shown = 1;
        }
        Integer[] order = IntStream.range(0, mi.length).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingDouble(i -> mi[i]));
        int[] testClasses = data.testClasses();
        int[] oodClasses = data.outOfDistributionClasses();
        long[] predictedTest = Nd4j.argMax(test.mean(), 1).toLongVector();
        long[] predictedOod = ood == null ? new long[0] : Nd4j.argMax(ood.mean(), 1).toLongVector();
        List<double[]> pixels = new ArrayList<>();
        List<String> captions = new ArrayList<>();
        List<Integer> picked = new ArrayList<>();
        for (int j = 0; j < shown; j++) {
            picked.add(order[j]);
        }
        for (int j = 0; j < shown; j++) {
            picked.add(order[mi.length - shown + j]);
        }
        for (int i : picked) {
            boolean isOod = i >= nTest;
            int row = isOod ? i - nTest : i;
            INDArray features = isOod ? data.outOfDistribution() : data.test().getFeatures();
            pixels.add(features.getRow(row).castTo(DataType.DOUBLE).toDoubleVector());
            String truth = FashionMnist.CLASS_NAMES.get(isOod ? oodClasses[row] : testClasses[row])
                    + (isOod ? " (held out)" : "");
            String predicted = data.className((int) (isOod ? predictedOod[row] : predictedTest[row]));
            captions.add(String.format(Locale.ROOT, "true: %s%npred: %s%nMI %.4f", truth, predicted, mi[i]));
        }
        String scope = ood == null ? "test images" : "test images, training and held-out classes";
        return Plots.save(Plots.imageGrid("Bayesian CNN: most and least certain " + scope + " (mutual information)",
                pixels.toArray(new double[0][]), data.height(), data.width(), captions, shown,
                List.of(shown + " most certain (lowest MI)", shown + " least certain (highest MI)")), out,
                "certain_uncertain");
    }

    /** The Bayesian network's posterior predictive mean and mutual information per row. */
    record Predictive(INDArray mean, double[] mutualInformation) {
    }

    /** Posterior predictive in chunks of {@link #CHUNK} rows, samples kept per chunk for the mutual information. */
    static Predictive predictBayes(MultiLayerNetwork net, INDArray x, int samples) {
        List<Predictive> parts = perChunk(x, c -> {
            PredictiveSamples p = PosteriorPredictive.of(net).samples(samples).predict(c);
            return new Predictive(p.mean(), ClassificationUncertainty.of(p).mutualInformation()
                    .castTo(DataType.DOUBLE).toDoubleVector());
        });
        List<INDArray> means = new ArrayList<>();
        double[] mi = new double[(int) x.size(0)];
        int row = 0;
        for (Predictive part : parts) {
            means.add(part.mean());
            System.arraycopy(part.mutualInformation(), 0, mi, row, part.mutualInformation().length);
            row += part.mutualInformation().length;
        }
        return new Predictive(Nd4j.vstack(means), mi);
    }

    /** Posterior predictive mean only (no samples kept), in chunks. */
    static INDArray predictiveMean(MultiLayerNetwork net, INDArray x, int samples) {
        return inChunks(x, c -> PosteriorPredictive.of(net).samples(samples).keepSamples(false).predict(c).mean());
    }

    /** The plain network's class probabilities, in chunks. */
    static INDArray predictPlain(MultiLayerNetwork net, INDArray x) {
        return inChunks(x, c -> net.output(c, false));
    }

    /** @return {@code f} of {@code x}'s rows, {@link #CHUNK} at a time, stacked */
    static INDArray inChunks(INDArray x, UnaryOperator<INDArray> f) {
        return Nd4j.vstack(perChunk(x, f));
    }

    /** The predictive of {@code x}, {@value #CHUNK} rows at a time. */
    static PredictiveSamples predictInChunks(PredictiveModel model, INDArray x) {
        return x.size(0) <= CHUNK ? model.predict(x) : PredictiveSamples.concatenate(perChunk(x, model::predict));
    }

    /** @return {@code f} of each block of {@link #CHUNK} rows of {@code x} (a copy), in order */
    private static <T> List<T> perChunk(INDArray x, Function<INDArray, T> f) {
        List<T> parts = new ArrayList<>();
        for (long from = 0; from < x.size(0); from += CHUNK) {
            parts.add(f.apply(chunk(x, from, Math.min(x.size(0), from + CHUNK))));
        }
        return parts;
    }

    static INDArray chunk(INDArray x, long from, long to) {
        return x.get(NDArrayIndex.interval(from, to), NDArrayIndex.all()).dup();
    }

    static double[] oneMinusMax(INDArray probabilities) {
        return probabilities.max(1).rsub(1.0).castTo(DataType.DOUBLE).toDoubleVector();
    }
}
