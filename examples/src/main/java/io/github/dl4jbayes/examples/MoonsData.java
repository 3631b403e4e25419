package io.github.dl4jbayes.examples;

import io.github.dl4jbayes.hierarchical.GroupedData;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * The two-moons data of the PyMC3 notebook: {@code make_moons(noise=0.2, n_samples=1000)}, standardized, split
 * half/half into train and test.
 *
 * <p>{@link #generate} builds the data the way scikit-learn's {@code make_moons} does (two interleaving half
 * circles, Gaussian noise) with a Java RNG; {@link #read} reads a CSV with columns {@code x1,x2,y} and optionally
 * {@code split}, such as the notebook's exact data shipped as {@link #NOTEBOOK_RESOURCE}.
 */
public final class MoonsData {
    /** The notebook's exact data from scikit-learn 1.2 (random_state=0), as a classpath resource. */
    public static final String NOTEBOOK_RESOURCE = "/moons_sklearn_seed0.csv";

    private final DataSet train;
    private final DataSet test;

    private MoonsData(DataSet train, DataSet test) {
        this.train = train;
        this.test = test;
    }

    /** @return the training half: features {@code [n, 2]}, labels {@code [n, 1]} in {0, 1} */
    public DataSet train() {
        return train;
    }

    /** @return the held-out half */
    public DataSet test() {
        return test;
    }

    /**
     * Two interleaving half circles with Gaussian noise, standardized (zero mean, unit variance per column) and
     * shuffled into a train and a test half.
     *
     * @param samples the number of points (&ge; 4)
     * @param noise   the standard deviation of the Gaussian noise (&ge; 0)
     * @param seed    the seed of the noise and of the split
     */
    public static MoonsData generate(int samples, double noise, long seed) {
        if (samples < 4) {
            throw new IllegalArgumentException("samples must be >= 4, got " + samples);
        }
        if (!(noise >= 0) || !Double.isFinite(noise)) {
            throw new IllegalArgumentException("noise must be a finite number >= 0, got " + noise);
        }
        Random random = new Random(seed);
        int outer = samples / 2;
        int inner = samples - outer;
        double[][] x = new double[samples][2];
        double[] y = new double[samples];
        for (int i = 0; i < outer; i++) {
            double t = Math.PI * i / (outer - 1);
            x[i][0] = Math.cos(t);
            x[i][1] = Math.sin(t);
        }
        for (int i = 0; i < inner; i++) {
            double t = Math.PI * i / (inner - 1);
            x[outer + i][0] = 1 - Math.cos(t);
            x[outer + i][1] = 1 - Math.sin(t) - 0.5;
            y[outer + i] = 1;
        }
        for (double[] row : x) {
            row[0] += noise * random.nextGaussian();
            row[1] += noise * random.nextGaussian();
        }
        standardize(x);
        int[] order = io.github.dl4jbayes.training.Shuffle.permutation(samples, random);
        int trainSize = samples / 2;
        return new MoonsData(subset(x, y, order, 0, trainSize), subset(x, y, order, trainSize, samples));
    }

    /**
     * Reads a CSV with a header naming columns {@code x1}, {@code x2}, {@code y} and optionally {@code split}
     * ({@code train}/{@code test}). Without a split column the rows are shuffled with {@code seed} and halved.
     * The features are used as they are (the notebook's file is already standardized).
     */
    public static MoonsData read(Path csv, long seed) {
        try (InputStream in = Files.newInputStream(csv)) {
            return read(in, csv.toString(), seed);
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot read " + csv + ": " + e.getMessage(), e);
        }
    }

    /**
     * The data an example's {@code --data} option names: {@code generated} (1,000 points, noise 0.2, from the seed),
     * {@code notebook} (the notebook's exact data) or the path of a CSV file ({@link #read(Path, long)}).
     */
    public static MoonsData load(String source, long seed) {
        return "generated".equals(source) ? generate(1000, 0.2, seed)
                : "notebook".equals(source) ? notebook() : read(Path.of(source), seed);
    }

    /** @return the notebook's exact data (scikit-learn, random_state=0), shipped with the examples */
    public static MoonsData notebook() {
        try (InputStream in = MoonsData.class.getResourceAsStream(NOTEBOOK_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("Missing resource " + NOTEBOOK_RESOURCE);
            }
            return read(in, NOTEBOOK_RESOURCE, 0);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read " + NOTEBOOK_RESOURCE, e);
        }
    }

    private static MoonsData read(InputStream in, String name, long seed) throws IOException {
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        String header = reader.readLine();
        if (header == null) {
            throw new IllegalArgumentException(name + " is empty");
        }
        List<String> columns = Arrays.asList(header.trim().split(","));
        int cx1 = columns.indexOf("x1");
        int cx2 = columns.indexOf("x2");
        int cy = columns.indexOf("y");
        int cSplit = columns.indexOf("split");
        if (cx1 < 0 || cx2 < 0 || cy < 0) {
            throw new IllegalArgumentException(name + ": the header must name columns x1, x2 and y, got " + header);
        }
        List<double[]> trainRows = new ArrayList<>();
        List<double[]> testRows = new ArrayList<>();
        List<double[]> rows = new ArrayList<>();
        String line;
        int lineNumber = 1;
        while ((line = reader.readLine()) != null) {
            lineNumber++;
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.trim().split(",");
            double[] row;
            try {
                row = new double[]{Double.parseDouble(f[cx1]), Double.parseDouble(f[cx2]), Double.parseDouble(f[cy])};
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(name + " line " + lineNumber + ": cannot parse '" + line + "'", e);
            }
            if (row[2] != 0 && row[2] != 1) {
                throw new IllegalArgumentException(name + " line " + lineNumber + ": y must be 0 or 1, got " + f[cy]);
            }
            if (cSplit < 0) {
                rows.add(row);
            } else if ("train".equals(f[cSplit].trim())) {
                trainRows.add(row);
            } else if ("test".equals(f[cSplit].trim())) {
                testRows.add(row);
            } else {
                throw new IllegalArgumentException(name + " line " + lineNumber + ": split must be train or test, got " + f[cSplit]);
            }
        }
        if (cSplit < 0) {
            int[] order = io.github.dl4jbayes.training.Shuffle.permutation(rows.size(), new Random(seed));
            for (int i = 0; i < order.length; i++) {
                (i < order.length / 2 ? trainRows : testRows).add(rows.get(order[i]));
            }
        }
        if (trainRows.isEmpty() || testRows.isEmpty()) {
            throw new IllegalArgumentException(name + ": need at least one train and one test row");
        }
        return new MoonsData(toDataSet(trainRows), toDataSet(testRows));
    }

    private static void standardize(double[][] x) {
        int n = x.length;
        for (int c = 0; c < 2; c++) {
            double mean = 0;
            for (double[] row : x) {
                mean += row[c];
            }
            mean /= n;
            double var = 0;
            for (double[] row : x) {
                var += (row[c] - mean) * (row[c] - mean);
            }
            double std = Math.sqrt(var / n);
            for (double[] row : x) {
                row[c] = (row[c] - mean) / std;
            }
        }
    }

    private static DataSet subset(double[][] x, double[] y, int[] order, int from, int to) {
        List<double[]> rows = new ArrayList<>();
        for (int i = from; i < to; i++) {
            rows.add(new double[]{x[order[i]][0], x[order[i]][1], y[order[i]]});
        }
        return toDataSet(rows);
    }

    private static DataSet toDataSet(List<double[]> rows) {
        INDArray features = Nd4j.create(DataType.FLOAT, rows.size(), 2);
        INDArray labels = Nd4j.create(DataType.FLOAT, rows.size(), 1);
        for (int i = 0; i < rows.size(); i++) {
            features.putScalar(i, 0, rows.get(i)[0]);
            features.putScalar(i, 1, rows.get(i)[1]);
            labels.putScalar(i, 0, rows.get(i)[2]);
        }
        return new DataSet(features, labels);
    }

    /** The data with its 2-D features rotated by {@code angle} radians about the origin. */
    static DataSet rotate(DataSet data, double angle) {
        INDArray rotation = Nd4j.createFromArray(new double[][]{{Math.cos(angle), Math.sin(angle)},
                {-Math.sin(angle), Math.cos(angle)}}).castTo(data.getFeatures().dataType());
        return new DataSet(data.getFeatures().mmul(rotation), data.getLabels().dup());
    }

    /**
     * @return {train, test}: G groups of moons, each standardized, rotated by its own angle and halved
     */
    static GroupedData[] grouped(int groups, int points, double noise, double angleSdDegrees, long seed) {
        if (groups < 1 || points < 4) {
            throw new IllegalArgumentException("groups must be >= 1 and points >= 4, got " + groups + ", " + points);
        }
        Random random = new Random(seed);
        List<INDArray> trainX = new ArrayList<>();
        List<INDArray> trainY = new ArrayList<>();
        List<INDArray> testX = new ArrayList<>();
        List<INDArray> testY = new ArrayList<>();
        int[] trainGroups = new int[0];
        int[] testGroups = new int[0];
        for (int g = 0; g < groups; g++) {
            MoonsData moons = MoonsData.generate(points, noise, seed + 17L * (g + 1));
            double angle = Math.toRadians(angleSdDegrees * random.nextGaussian());
            DataSet train = rotate(moons.train(), angle);
            DataSet test = rotate(moons.test(), angle);
            trainX.add(train.getFeatures());
            trainY.add(train.getLabels());
            testX.add(test.getFeatures());
            testY.add(test.getLabels());
            trainGroups = append(trainGroups, train.numExamples(), g);
            testGroups = append(testGroups, test.numExamples(), g);
        }
        return new GroupedData[]{
                new GroupedData(Nd4j.vstack(trainX), Nd4j.vstack(trainY), trainGroups),
                new GroupedData(Nd4j.vstack(testX), Nd4j.vstack(testY), testGroups)};
    }

    private static int[] append(int[] groups, int count, int g) {
        int[] out = Arrays.copyOf(groups, groups.length + count);
        Arrays.fill(out, groups.length, out.length, g);
        return out;
    }
}
