package io.github.dl4jbayes.baselines;

import io.github.dl4jbayes.internal.ArgumentChecks;
import io.github.dl4jbayes.internal.NetworkAdapter;
import io.github.dl4jbayes.predict.PredictiveModel;
import io.github.dl4jbayes.predict.PredictiveSamples;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.IntFunction;

/**
 * A deep ensemble (Lakshminarayanan et al. 2017): K networks of one architecture trained from different random
 * initializations; the predictive has one draw per member, its output in inference mode.
 *
 * <pre>{@code
 * DeepEnsemble ensemble = DeepEnsemble.train(conf, 5, net -> net.fit(trainIterator, 20));
 * PredictiveSamples p = ensemble.predict(xTest);        // 5 draws: mean and std over the members
 * ensemble.trainingSeconds();                           // wall time of each member's training
 * }</pre>
 */
public final class DeepEnsemble implements PredictiveModel {
    private static final Logger LOG = LoggerFactory.getLogger(DeepEnsemble.class);

    private final List<Model> members;
    private final double[] trainingSeconds;

    private DeepEnsemble(List<Model> members, double[] trainingSeconds) {
        this.members = members;
        this.trainingSeconds = trainingSeconds;
    }

    /**
     * @param members trained {@code MultiLayerNetwork}s or {@code ComputationGraph}s (one input and one output each,
     *                the same number of outputs)
     * @return their ensemble (training times unknown: NaN)
     * @throws IllegalArgumentException if the list is null or empty, or a member is null, of another kind, not
     *                                  initialized, or has a different number of outputs from the first
     */
    public static DeepEnsemble of(List<? extends Model> members) {
        double[] seconds = new double[members == null ? 0 : members.size()];
        Arrays.fill(seconds, Double.NaN);
        return new DeepEnsemble(check(members), seconds);
    }

    /**
     * Trains K members from one configuration, one after another, logging each member's wall time. Member k is
     * initialized from the configuration's seed plus k (handed to DL4J as {@code (seed + k) ^ 0x5DEECE66D}: ND4J
     * 1.0.0-M2.1 ignores a seed of 0, which would make that member differ from run to run); the configuration itself
     * is not changed.
     *
     * @param conf    the members' configuration
     * @param members K (&gt; 0)
     * @param fit     trains one freshly initialized member, e.g. {@code net -> net.fit(train, epochs)} or DL4J's
     *                early stopping, which then gives the member's best parameters with {@code net.setParams(..)}
     * @return the ensemble, with {@link #trainingSeconds()}
     */
    public static DeepEnsemble train(MultiLayerConfiguration conf, int members, Consumer<MultiLayerNetwork> fit) {
        if (conf == null || fit == null) {
            throw new IllegalArgumentException("conf and fit must not be null");
        }
        long seed = conf.getConfs().get(0).getSeed();
        return train(members, k -> {
            MultiLayerConfiguration copy = conf.clone();
            for (NeuralNetConfiguration layer : copy.getConfs()) {
                layer.setSeed(Networks.nd4jSeed(seed + k));
            }
            MultiLayerNetwork net = new MultiLayerNetwork(copy);
            net.init();
            fit.accept(net);
            return net;
        });
    }

    /**
     * Trains K members with a function of the member's index (any network kind, any training), logging each
     * member's wall time.
     *
     * @param members     K (&gt; 0)
     * @param trainMember returns member k trained; it should seed member k differently from the others
     * @return the ensemble, with {@link #trainingSeconds()}
     */
    public static DeepEnsemble train(int members, IntFunction<? extends Model> trainMember) {
        ArgumentChecks.positive("members", members);
        if (trainMember == null) {
            throw new IllegalArgumentException("trainMember must not be null");
        }
        List<Model> trained = new ArrayList<>();
        double[] seconds = new double[members];
        for (int k = 0; k < members; k++) {
            long start = System.nanoTime();
            trained.add(trainMember.apply(k));
            seconds[k] = (System.nanoTime() - start) / 1e9;
            LOG.info(String.format(Locale.ROOT, "Deep ensemble: member %d of %d trained in %.1f s", k + 1, members,
                    seconds[k]));
        }
        return new DeepEnsemble(check(trained), seconds);
    }

    private static List<Model> check(List<? extends Model> members) {
        if (members == null || members.isEmpty()) {
            throw new IllegalArgumentException("members: at least one network is needed");
        }
        long outputs = -2;
        for (int k = 0; k < members.size(); k++) {
            long size = Networks.outputSize(Networks.adapter("members[" + k + "]", members.get(k)));
            if (outputs == -2) {
                outputs = size;
            } else if (size != outputs) {
                throw new IllegalArgumentException("members[" + k + "] has " + size + " outputs, members[0] has "
                        + outputs + ": an ensemble's members predict the same outputs");
            }
        }
        return Collections.unmodifiableList(new ArrayList<>(members));
    }

    /** @return the members, in order */
    public List<Model> members() {
        return members;
    }

    /** @return each member's training wall time in seconds (NaN for an ensemble made with {@link #of}) */
    public double[] trainingSeconds() {
        return trainingSeconds.clone();
    }

    /**
     * @return one draw per member: member k's output {@code output(x)} is draw k
     * @throws IllegalArgumentException if {@code features} is null or empty, or a member's output has another shape
     */
    @Override
    public PredictiveSamples predict(INDArray features) {
        if (features == null || features.isEmpty()) {
            throw new IllegalArgumentException("features must be a non-empty array");
        }
        PredictiveSamples.Accumulator accumulator = new PredictiveSamples.Accumulator(members.size(), true);
        for (Model member : members) {
            accumulator.add(NetworkAdapter.of(member).output(features)[0]);
        }
        return accumulator.result();
    }
}
