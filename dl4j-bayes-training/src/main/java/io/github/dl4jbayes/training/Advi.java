package io.github.dl4jbayes.training;

import io.github.dl4jbayes.internal.ArgumentChecks;
import io.github.dl4jbayes.layers.BayesianNetworks;
import io.github.dl4jbayes.internal.NetworkAdapter;
import io.github.dl4jbayes.internal.fused.FusedDenseStack;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.DoubleSupplier;

/**
 * Automatic differentiation variational inference (mean-field ADVI) for a DL4J network with Bayesian layers, a
 * {@code MultiLayerNetwork} or a {@code ComputationGraph} (one code path for both, {@link NetworkAdapter}):
 * maximizes the reparameterized ELBO with the network's own updater, full batch or on minibatches, and returns
 * the ELBO trace. {@code iterations} counts optimizer steps, like PyMC's {@code fit(n)}.
 *
 * <pre>{@code
 * Advi advi = Advi.builder().datasetSize(500).iterations(50_000).printEvery(5_000).build();
 * ElboHistory elbo = advi.fit(net, trainIterator);   // minibatches: KL scaled by 1 / 500
 * advi.fit(net, trainIterator);                      // continues, appending to the same history
 * }</pre>
 *
 * <p>An {@code Advi} holds settings only: it may fit several networks, one after the other or from several threads.
 * What a fit changes lives with the network: the KL warm-up follows the network's own iteration count (which
 * {@code ModelSerializer} saves, so a loaded network continues its warm-up), and each network has its own ELBO
 * history with this {@code Advi}.
 *
 * <p>Each step minimizes the network's score, {@code mean loss over the minibatch + klWeight * KL / N}, the
 * negative ELBO per example (see {@code docs/math.md}). Options: KL annealing (the KL weight rises linearly from
 * {@code 1 / klAnnealingIterations} to 1; by default over the first quarter of the iterations), a tempered KL term
 * ({@link Builder#klTemperature}, a departure from the exact ELBO; off by default), several Monte-Carlo
 * samples of the weights per step (their gradients averaged), and a {@link DivergenceException} as soon as the ELBO
 * becomes NaN or infinite.
 *
 * <p>{@link Builder#checkpointEvery} writes {@link AdviCheckpoint}s during a fit; a network loaded from one continues
 * the interrupted fit in its next {@code fit} call to the uninterrupted fit's parameters.
 */
public final class Advi {
    private static final Logger log = LoggerFactory.getLogger(Advi.class);

    private final long datasetSize;
    private final int iterations;
    private final int printEvery;
    private final int mcSamples;
    private final KlSchedule klSchedule;
    private final boolean fused;
    private final boolean shuffle;
    private final EarlyStopping earlyStopping;
    private final int checkpointEvery;
    private final Path checkpointFile;
    private final ElboHistories histories = new ElboHistories();

    private Advi(Builder b) {
        this.datasetSize = b.datasetSize;
        this.iterations = b.iterations;
        this.printEvery = b.printEvery;
        this.mcSamples = b.mcSamples;
        this.klSchedule = new KlSchedule(b.klAnnealingIterations >= 0 ? b.klAnnealingIterations
                : KlSchedule.defaultWarmUp(b.iterations), b.klTemperature);
        this.fused = b.fused;
        this.shuffle = b.shuffle;
        this.earlyStopping = b.earlyStopping;
        this.checkpointEvery = b.checkpointEvery;
        this.checkpointFile = b.checkpointFile;
    }

    /**
     * @return a builder with 10,000 iterations, progress every 1,000, one Monte-Carlo sample, a KL warm-up over the
     * first quarter of the iterations
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * @return the ELBO trace of the network this object fitted last (all its fits with this object), or an empty
     *         trace before any fit; {@link #fit} returns the trace of the network it fits
     */
    public ElboHistory history() {
        return histories.last();
    }

    /** @return the KL weight schedule of this object's fits (warm-up and temperature) */
    public KlSchedule klSchedule() {
        return klSchedule;
    }

    /**
     * Runs {@code iterations} full-batch steps on {@code data}.
     *
     * @return the ELBO trace of {@code net}'s fits with this object (this fit appended)
     */
    public ElboHistory fit(Model net, DataSet data) {
        if (data == null || data.getFeatures() == null || data.getLabels() == null) {
            throw new IllegalArgumentException("data must hold features and labels");
        }
        return run(net, new FullBatch(toMulti(data)), "full batch of " + data.numExamples());
    }

    /**
     * Runs {@code iterations} full-batch steps on {@code data}, whose arrays are the network's inputs and outputs
     * (a {@code ComputationGraph} with several inputs or outputs).
     *
     * @return the ELBO trace of {@code net}'s fits with this object (this fit appended)
     */
    public ElboHistory fit(Model net, MultiDataSet data) {
        if (data == null || data.getFeatures() == null || data.getLabels() == null) {
            throw new IllegalArgumentException("data must hold features and labels");
        }
        return run(net, new FullBatch(data), "full batch of " + data.getFeatures(0).size(0));
    }

    /**
     * Runs {@code iterations} minibatch steps on in-memory data: minibatches of {@code batchSize} examples, the data
     * shuffled anew before every pass (each pass counts as one epoch) by a generator seeded with the network's
     * {@code seed(...)} and the epoch, so that a fit repeats exactly; {@code Advi.builder().shuffle(false)} keeps the
     * data's order. {@code data} itself is not modified: the minibatches live in arrays allocated once per fit and
     * refilled in Java before each pass (new ND4J arrays at every step would cost more than a small network's step).
     *
     * @param batchSize the minibatch size (&gt; 0; the last minibatch of a pass may be smaller)
     * @return the ELBO trace of {@code net}'s fits with this object (this fit appended)
     */
    public ElboHistory fit(Model net, DataSet data, int batchSize) {
        if (data == null || data.getFeatures() == null || data.getLabels() == null) {
            throw new IllegalArgumentException("data must hold features and labels");
        }
        ArgumentChecks.positive("batchSize", batchSize);
        NetworkAdapter adapter = NetworkAdapter.of(net);
        ShuffledMinibatches minibatches = new ShuffledMinibatches(data, batchSize, shuffle, adapter.seed());
        return run(net, new Batches() {
            @Override
            public MultiDataSet next() {
                if (minibatches.passDone()) {
                    minibatches.newPass(adapter.epochCount());   // each epoch its own order, also across fits
                }
                return toMulti(minibatches.next());
            }

            @Override
            public boolean endsPass() {
                return minibatches.passDone();
            }

            @Override
            public int position() {
                return minibatches.position();
            }

            @Override
            public void resumeAt(int firstEpoch, int position) {
                minibatches.resumePass(firstEpoch, adapter.epochCount(), position);
            }
        }, "minibatches of " + batchSize + " from " + data.numExamples() + " examples"
                + (shuffle ? ", shuffled every pass" : ""));
    }

    /**
     * Runs {@code iterations} minibatch steps, one per minibatch of {@code data}; the iterator is reset and
     * cycled as often as needed (each pass counts as one epoch), in the order it gives (for in-memory data,
     * {@link #fit(Model, DataSet, int)} reshuffles between passes).
     *
     * @return the ELBO trace of {@code net}'s fits with this object (this fit appended)
     */
    public ElboHistory fit(Model net, DataSetIterator data) {
        if (data == null) {
            throw new IllegalArgumentException("data must not be null");
        }
        return cycle(net, data::resetSupported, data::reset, data::hasNext, () -> toMulti(data.next()),
                "minibatches of " + data.batch());
    }

    /**
     * Runs {@code iterations} minibatch steps, one per minibatch of {@code data} (for a {@code ComputationGraph}
     * with several inputs or outputs), cycling the iterator as {@link #fit(Model, DataSetIterator)} does.
     *
     * @return the ELBO trace of {@code net}'s fits with this object (this fit appended)
     */
    public ElboHistory fit(Model net, MultiDataSetIterator data) {
        if (data == null) {
            throw new IllegalArgumentException("data must not be null");
        }
        return cycle(net, data::resetSupported, data::reset, data::hasNext, data::next, "minibatches");
    }

    private ElboHistory cycle(Model net, java.util.function.BooleanSupplier resetSupported, Runnable reset,
                              java.util.function.BooleanSupplier hasNext,
                              java.util.function.Supplier<MultiDataSet> next, String what) {
        if (!resetSupported.getAsBoolean()) {
            throw new IllegalArgumentException("ADVI cycles through the data: the iterator must support reset()");
        }
        reset.run();
        return run(net, new Batches() {
            private int position;

            @Override
            public MultiDataSet next() {
                if (!hasNext.getAsBoolean()) {
                    reset.run();
                    position = 0;
                    if (!hasNext.getAsBoolean()) {
                        throw new IllegalArgumentException("The iterator is empty");
                    }
                }
                position++;
                return next.get();
            }

            @Override
            public boolean endsPass() {
                return !hasNext.getAsBoolean();
            }

            @Override
            public int position() {
                return position;
            }

            @Override
            public void resumeAt(int firstEpoch, int at) {
                reset.run();
                for (position = 0; position < at; position++) {
                    if (!hasNext.getAsBoolean()) {
                        throw new IllegalArgumentException("The iterator's pass holds " + position + " minibatches, "
                                + "the checkpoint was written after minibatch " + at + " of a pass: not the same data");
                    }
                    next.get();                          // the minibatches the interrupted fit already trained on
                }
            }
        }, what);
    }

    private static MultiDataSet toMulti(DataSet data) {
        return new org.nd4j.linalg.dataset.MultiDataSet(data.getFeatures(), data.getLabels(),
                data.getFeaturesMaskArray(), data.getLabelsMaskArray());
    }

    /** The minibatches of a fit: the full batch again and again, or passes over the data. */
    private interface Batches {
        MultiDataSet next();

        /** @return whether the minibatch last returned completed a pass over the data (one more epoch after its step) */
        boolean endsPass();

        /** @return the number of minibatches of the current pass handed out so far */
        int position();

        /**
         * Continues the current pass after its first {@code position} minibatches: a resumed fit, which started at
         * pass {@code firstEpoch}.
         */
        void resumeAt(int firstEpoch, int position);
    }

    /** The full batch at every step: no passes, no epochs (as DL4J's own {@code fit(DataSet)}). */
    private static final class FullBatch implements Batches {
        private final MultiDataSet data;

        FullBatch(MultiDataSet data) {
            this.data = data;
        }

        @Override
        public MultiDataSet next() {
            return data;
        }

        @Override
        public boolean endsPass() {
            return false;
        }

        @Override
        public int position() {
            return 0;
        }

        @Override
        public void resumeAt(int firstEpoch, int position) {
        }
    }

    private ElboHistory run(Model model, Batches batches, String what) {
        boolean fixedBatch = batches instanceof FullBatch;
        NetworkAdapter net = NetworkAdapter.of(model);
        if (!BayesianNetworks.isBayesian(model)) {
            throw new IllegalArgumentException("ADVI needs a network with Bayesian layers (BayesianDenseLayer, BayesianOutputLayer)");
        }
        long n = datasetSize > 0 ? datasetSize : BayesianNetworks.getDatasetSize(model);
        if (n <= 0) {
            throw new IllegalStateException("The dataset size N is not set: the ELBO divides the KL term by the number "
                    + "of training examples. Use Advi.builder().datasetSize(N), or BayesianNetworks.setDatasetSize(net, N).");
        }
        AdviCheckpoint.Progress resumed = AdviCheckpoint.pending(model);
        int alreadyDone = resumed != null ? resumedSteps(resumed, what) : 0;   // a different fit is refused here
        AdviCheckpoint.forget(model);
        BayesianNetworks.setDatasetSize(model, n);
        FusedDenseStack fusedStack = fusedStackFor(model);
        ElboHistory history = histories.of(model);
        if (resumed != null) {
            if (history.size() == 0) {
                for (int i = 0; i < resumed.elbos.length; i++) {
                    history.add(resumed.elboIterations[i], resumed.elbos[i]);
                }
            }
            batches.resumeAt(resumed.firstEpoch, resumed.position);
        }
        int steps = iterations - alreadyDone;
        ElboListener elbo = new ElboListener(printEvery, history).expectedIterations(steps);
        Collection<TrainingListener> original = new ArrayList<>(net.listeners());
        List<TrainingListener> withElbo = new ArrayList<>(original);
        withElbo.add(elbo);
        log.info("ADVI: {} iterations on {}, N = {}, {} Monte-Carlo sample(s) per step, {}", steps, what, n,
                mcSamples, fusedStack != null ? "fused Java step" : "DL4J's standard step");
        // The KL weight is this fit's to set (1 without annealing, t / K during a warm-up) and is restored at the
        // end, even when the fit throws: a warm-up never outlives its fit.
        double klWeightBefore = BayesianNetworks.getKlWeight(model);
        EarlyStopping.Monitor monitor = earlyStopping != null ? earlyStopping.start(model) : null;
        long start = System.nanoTime();
        int done = 0;
        net.setListeners(withElbo);
        try {
            FusedDenseStack.Batch fixed = null;
            int firstEpoch = resumed != null ? resumed.firstEpoch : net.epochCount();
            long seenInFirstEpoch = 0;
            boolean warned = false;
            for (int i = 0; i < steps; i++) {
                MultiDataSet batch = batches.next();
                // truncated BPTT: DL4J's fit takes one optimizer step per segment of the sequences, each scoring the
                // KL term; 1/segments of it per segment counts the KL once per minibatch
                int segments = net.segments(batch);
                if (segments > 1 && mcSamples > 1) {
                    throw new IllegalArgumentException("mcSamples = " + mcSamples + " with truncated BPTT: DL4J's fit "
                            + "steps segment by segment, so Monte-Carlo averaging over a minibatch is not available; "
                            + "use mcSamples(1) or backpropType(Standard)");
                }
                BayesianNetworks.setKlWeight(model, klSchedule.weightAt(net.iterationCount() + 1L) / segments);
                int batchSize = (int) batch.getFeatures(0).size(0);
                // one pass: the full batch, or the minibatches of the fit's first epoch
                if (!warned && (fixedBatch ? i == 0 : net.epochCount() == firstEpoch)) {
                    seenInFirstEpoch += batchSize;
                    warned = warnIfMoreThanN(seenInFirstEpoch, n);
                }
                // masked minibatches (rare for dense networks) take DL4J's step, which knows masks
                boolean masked = batch.hasMaskArrays();
                if (fusedStack != null && !masked) {
                    if (fixed == null || !fixedBatch) {
                        fixed = fusedStack.prepare(new org.nd4j.linalg.dataset.DataSet(batch.getFeatures(0),
                                batch.getLabels(0)));
                    }
                    FusedDenseStack.Batch prepared = fixed;
                    step(net, prepared.size(), () -> fusedStack.computeGradientAndScore(prepared),
                            fusedStack.hasJavaUpdater() ? fusedStack::applyUpdate
                                    : (it, ep, b) -> dl4jUpdate(net, fusedStack.gradient(), it, ep, b));
                } else if (mcSamples == 1) {
                    net.fit(batch);
                } else {
                    step(net, batchSize, () -> net.computeGradientAndScore(batch),
                            (it, ep, b) -> dl4jUpdate(net, net.gradient(), it, ep, b));
                }
                if (batches.endsPass()) {
                    net.incrementEpochCount();                 // after the pass's last step, as DL4J's fit does
                }
                done++;
                if (checkpointFile != null && (alreadyDone + done) % checkpointEvery == 0) {
                    AdviCheckpoint.save(model, checkpointFile, new AdviCheckpoint.Progress(iterations,
                            klSchedule.warmUpSteps(), klSchedule.temperature(), mcSamples, what, firstEpoch,
                            alreadyDone + done,
                            batches.position(), history.iterations(), history.elbos()));
                }
                if (monitor != null && monitor.afterStep(done, net.iterationCount(), history)) {
                    log.info("ADVI: early stopping after {} of {} iterations (best at step {})", done, iterations,
                            monitor.bestStep());
                    break;
                }
            }
            if (monitor != null) {
                monitor.finish();
            }
        } finally {
            net.setListeners(original);
            BayesianNetworks.setKlWeight(model, klWeightBefore);
            if (net.iterationCount() < klSchedule.warmUpSteps()) {
                log.warn("ADVI stopped inside its KL warm-up (step {} of {}): it optimized a down-weighted KL term. "
                        + "The network's KL weight is back to {}; the next fit continues the warm-up from the "
                        + "network's iteration count.", net.iterationCount(), klSchedule.warmUpSteps(), klWeightBefore);
            }
        }
        log.info(String.format(java.util.Locale.ROOT, "ADVI: %d iterations in %.2f s, final ELBO = %.2f", done,
                (System.nanoTime() - start) / 1e9, history.size() > 0 ? history.last() : Double.NaN));
        return history;
    }

    /**
     * @return the steps the interrupted fit had done, after checking that this fit is the same fit (settings and data)
     * @throws IllegalArgumentException if it is not: continuing it would not give the uninterrupted fit's result
     */
    private int resumedSteps(AdviCheckpoint.Progress p, String what) {
        String mismatch = p.iterations != iterations ? "iterations " + p.iterations + " (this Advi: " + iterations + ")"
                : p.warmUpSteps != klSchedule.warmUpSteps() ? "a KL warm-up of " + p.warmUpSteps + " steps (this Advi: "
                + klSchedule.warmUpSteps() + ")"
                : p.temperature != klSchedule.temperature() ? "klTemperature " + p.temperature + " (this Advi: "
                + klSchedule.temperature() + ")"
                : p.mcSamples != mcSamples ? "mcSamples " + p.mcSamples + " (this Advi: " + mcSamples + ")"
                : !p.data.equals(what) ? "data '" + p.data + "' (this fit: '" + what + "')" : null;
        if (mismatch != null) {
            throw new IllegalArgumentException("The network was loaded from a checkpoint written at step " + p.done
                    + " of a fit with " + mismatch + ": continue it with the same Advi settings and data, or start a "
                    + "new fit on a network loaded with ModelSerializer");
        }
        log.info("ADVI: continuing the fit checkpointed at step {} of {}", p.done, p.iterations);
        return p.done;
    }

    /**
     * Warns when one pass over the data has shown more examples than the dataset size N: the KL term, divided by N,
     * would then weigh more than the ELBO gives it (a common slip: N set to the number of minibatches, or to a subset).
     *
     * @return whether it warned
     */
    static boolean warnIfMoreThanN(long examplesInOnePass, long n) {
        if (examplesInOnePass <= n) {
            return false;
        }
        log.warn("ADVI: one pass over the data holds more examples ({} so far) than the dataset size N = {}. The KL "
                + "term is divided by N, so it now weighs more than in the ELBO of these data: set datasetSize to the "
                + "number of training examples.", examplesInOnePass, n);
        return true;
    }

    /**
     * @return the fused step for {@code net}, or null when it is off or does not cover the network (logged): it
     *         covers small stacks of Bayesian dense layers in a MultiLayerNetwork
     */
    private FusedDenseStack fusedStackFor(Model net) {
        if (!fused) {
            return null;
        }
        if (!(net instanceof MultiLayerNetwork)) {
            log.debug("ADVI: DL4J's standard step, as the fused step covers MultiLayerNetworks only");
            return null;
        }
        MultiLayerNetwork mln = (MultiLayerNetwork) net;
        if (!mln.getListeners().isEmpty()) {
            // listeners such as DL4J's StatsListener read the network's Gradient object, which DL4J's step fills
            log.debug("ADVI: DL4J's standard step, as the network has training listeners that may read its gradient");
            return null;
        }
        String why = FusedDenseStack.whyNot(mln);
        if (why != null) {
            log.debug("ADVI: DL4J's standard step, as the fused step does not cover this network: {}", why);
            return null;
        }
        return FusedDenseStack.of(mln);
    }

    /**
     * One optimizer step, done as DL4J's own SGD step does it: the gradient (averaged over {@code mcSamples}
     * independent draws of the weights), the listeners' gradient callback, the updater on the gradient, parameters
     * minus the update, the listeners' iteration callback, the counters and the constraints.
     *
     * @param gradientAndScore computes one draw's gradient into the network's gradient view and returns its score
     * @param update           applies the updater to the gradient and subtracts the update from the parameters
     */
    private void step(NetworkAdapter net, int batchSize, DoubleSupplier gradientAndScore, Update update) {
        double score = gradientAndScore.getAsDouble();
        INDArray gradientView = net.model().getGradientsViewArray();
        if (mcSamples > 1) {
            INDArray sum = gradientView.dup();
            for (int s = 1; s < mcSamples; s++) {
                score += gradientAndScore.getAsDouble();
                sum.addi(gradientView);
            }
            gradientView.assign(sum.divi(mcSamples));
            score /= mcSamples;
        }
        net.setScore(score);
        int iteration = net.iterationCount();
        int epoch = net.epochCount();
        for (TrainingListener listener : net.listeners()) {
            listener.onGradientCalculation(net.model());
        }
        update.apply(iteration, epoch, batchSize);
        for (TrainingListener listener : net.listeners()) {
            listener.iterationDone(net.model(), iteration, epoch);
        }
        net.setIterationCount(iteration + 1);
        net.model().applyConstraints(iteration + 1, epoch);
        net.clearLayerMaskArrays();
    }

    /** Applies the updater to the gradient in the network's gradient view and the update to the parameters. */
    private interface Update {
        void apply(int iteration, int epoch, int batchSize);
    }

    /** DL4J's updater on {@code gradient} (over the network's gradient view), then {@code params -= update}. */
    private static void dl4jUpdate(NetworkAdapter net, Gradient gradient, int iteration, int epoch, int batchSize) {
        net.applyUpdater(gradient, iteration, epoch, batchSize);
        INDArray params = net.model().params();
        params.subi(net.model().getGradientsViewArray().reshape(params.shape()));
    }

    /** Builder for {@link Advi}. */
    public static final class Builder {
        private long datasetSize;
        private int iterations = 10_000;
        private int printEvery = 1_000;
        private int mcSamples = 1;
        private int klAnnealingIterations = -1;               // -1: a quarter of the iterations
        private double klTemperature = 1.0;
        private boolean fused = true;
        private boolean shuffle = true;
        private EarlyStopping earlyStopping;
        private int checkpointEvery;
        private Path checkpointFile;

        private Builder() {
        }

        /**
         * Writes an {@link AdviCheckpoint} to {@code file} every {@code steps} steps of a fit (counted from the
         * fit's start, the file replaced atomically each time): the network with its updater state, the Bayesian
         * layers' state and the fit's progress. A fit interrupted after the checkpoint at step {@code k} continues
         * from it ({@link AdviCheckpoint#load}, then {@code fit} with the same settings and data) to the same
         * parameters as the uninterrupted fit, bit for bit on one backend with one kernel policy. Not with
         * {@link #earlyStopping} (its monitor is not saved).
         *
         * @param steps the interval in steps (&gt; 0)
         * @param file  the checkpoint file (not null)
         */
        public Builder checkpointEvery(int steps, Path file) {
            ArgumentChecks.positive("steps", steps);
            if (file == null) {
                throw new IllegalArgumentException("file must not be null");
            }
            this.checkpointEvery = steps;
            this.checkpointFile = file;
            return this;
        }

        /**
         * @param earlyStopping when to stop before {@code iterations} ({@link EarlyStopping}: on a validation set's
         *                      predictive NLL, or on the training ELBO's plateau); null (the default) for never
         */
        public Builder earlyStopping(EarlyStopping earlyStopping) {
            this.earlyStopping = earlyStopping;
            return this;
        }

        /**
         * @param datasetSize N, the number of training examples (PyMC's {@code total_size}); the KL is divided by it.
         *                    Required unless already set on the network.
         */
        public Builder datasetSize(long datasetSize) {
            ArgumentChecks.positive("datasetSize", datasetSize);
            this.datasetSize = datasetSize;
            return this;
        }

        /** @param iterations the number of optimizer steps per {@code fit} call (&gt; 0) */
        public Builder iterations(int iterations) {
            ArgumentChecks.positive("iterations", iterations);
            this.iterations = iterations;
            return this;
        }

        /** @param printEvery log the ELBO every this many steps; 0 for no progress lines */
        public Builder printEvery(int printEvery) {
            ArgumentChecks.nonNegative("printEvery", printEvery);
            this.printEvery = printEvery;
            return this;
        }

        /** @param mcSamples the number of weight draws whose gradients are averaged in each step (&gt; 0) */
        public Builder mcSamples(int mcSamples) {
            ArgumentChecks.positive("mcSamples", mcSamples);
            this.mcSamples = mcSamples;
            return this;
        }

        /**
         * @param klAnnealingIterations warm-up length: the KL weight is {@code min(1, t / klAnnealingIterations)} at
         *                              step {@code t} (the network's iteration count, 1 at its first step, so
         *                              a network's warm-up continues over several fits and after saving and
         *                              loading it); 0 for no annealing
         *                              (the weight is then 1). Default: a quarter of {@link #iterations}, chosen in
         *                              the defaults study of {@code docs/user-guide.md} (without it and with Xavier
         *                              means the notebook's network ended near-linear in 7-8 of 20 seeds). Either
         *                              way each fit restores the network's KL weight when it ends, even by an
         *                              exception.
         */
        public Builder klAnnealingIterations(int klAnnealingIterations) {
            ArgumentChecks.nonNegative("klAnnealingIterations", klAnnealingIterations);
            this.klAnnealingIterations = klAnnealingIterations;
            return this;
        }

        /**
         * A tempered KL term: each step minimizes {@code mean loss + t * KL / N} (times the warm-up's weight while
         * it lasts) instead of the negative ELBO per example. {@code t < 1} trusts the data more than the prior (the
         * "cold posterior" of Wenzel et al. 2020; often better accuracy for deep networks whose prior is poorly
         * chosen, at some cost in calibration), {@code t > 1} the prior more. This is a <b>departure from the exact
         * ELBO</b> and from Bayes' rule: the result approximates the posterior of a likelihood raised to the power
         * {@code 1 / t}. The recorded ELBO ({@link ElboHistory}) stays the exact, untempered ELBO.
         *
         * @param klTemperature the KL term's multiplier, finite and &gt; 0; default 1 (the exact ELBO)
         */
        public Builder klTemperature(double klTemperature) {
            ArgumentChecks.positiveFinite("klTemperature", klTemperature);
            this.klTemperature = klTemperature;
            return this;
        }

        /**
         * @param fused whether small stacks of Bayesian dense layers train with the fused Java step
         *              ({@link FusedDenseStack}: the same arithmetic as DL4J's step, several times faster on small
         *              networks; default true). Networks it does not cover, and networks with training listeners of
         *              their own (which may read DL4J's gradient object), take DL4J's standard step either way.
         */
        public Builder fused(boolean fused) {
            this.fused = fused;
            return this;
        }

        /**
         * @param shuffle whether {@link Advi#fit(Model, DataSet, int)} shuffles the in-memory data before
         *                every pass (default true; reproducible from the network's seed). Iterators keep their order.
         */
        public Builder shuffle(boolean shuffle) {
            this.shuffle = shuffle;
            return this;
        }

        /** @return the configured {@link Advi} */
        public Advi build() {
            if (checkpointFile != null && earlyStopping != null) {
                throw new IllegalArgumentException("checkpointEvery with earlyStopping: a checkpoint does not save the "
                        + "early-stopping monitor, so a continued fit could stop elsewhere; use one of the two");
            }
            return new Advi(this);
        }
    }
}
