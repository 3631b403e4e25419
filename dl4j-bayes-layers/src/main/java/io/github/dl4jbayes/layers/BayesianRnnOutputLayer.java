package io.github.dl4jbayes.layers;

import io.github.dl4jbayes.layers.impl.BayesianOutputLayerImpl;
import io.github.dl4jbayes.layers.impl.BayesianRnnOutputLayerImpl;
import io.github.dl4jbayes.priors.KlEstimate;
import io.github.dl4jbayes.priors.Prior;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.InputTypeUtil;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

import java.util.Objects;

/**
 * The time-distributed Bayesian output layer, as DL4J's {@code RnnOutputLayer}: {@link BayesianOutputLayer} applied
 * at every time step of {@code [minibatch, nIn, timeSteps]} (NCW) or {@code [minibatch, timeSteps, nIn]} (NWC)
 * inputs, with labels of the same layout and an optional per-step label mask {@code [minibatch, timeSteps]}. One
 * weight draw per forward pass serves every step.
 *
 * <pre>{@code
 * new BayesianRnnOutputLayer.Builder(new LossGaussianNll()).nIn(32).nOut(1).learnedNoise(0.5)
 *         .activation(Activation.IDENTITY).build()
 * }</pre>
 */
public class BayesianRnnOutputLayer extends BayesianOutputLayer {
    private static final long serialVersionUID = 1L;

    private RNNFormat rnnDataFormat = RNNFormat.NCW;

    /** For JSON deserialization. */
    public BayesianRnnOutputLayer() {
    }

    private BayesianRnnOutputLayer(Builder builder) {
        super(builder);
        this.rnnDataFormat = builder.rnnDataFormat;
    }

    @Override
    protected BayesianOutputLayerImpl implementation(NeuralNetConfiguration conf, DataType networkDataType) {
        return new BayesianRnnOutputLayerImpl(conf, networkDataType);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        if (inputType == null || inputType.getType() != InputType.Type.RNN) {
            throw new IllegalStateException("BayesianRnnOutputLayer '" + getLayerName() + "' (index " + layerIndex
                    + "): expected a recurrent input type, got " + inputType);
        }
        return InputType.recurrent(getNOut(), ((InputType.InputTypeRecurrent) inputType).getTimeSeriesLength(),
                rnnDataFormat);
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        if (inputType == null || inputType.getType() != InputType.Type.RNN) {
            throw new IllegalStateException("BayesianRnnOutputLayer '" + getLayerName() + "': expected a recurrent "
                    + "input type, got " + inputType);
        }
        InputType.InputTypeRecurrent r = (InputType.InputTypeRecurrent) inputType;
        if (getNIn() <= 0 || override) {
            setNIn(r.getSize());
        }
        if (rnnDataFormat == null || override) {
            rnnDataFormat = r.getFormat();
        }
    }

    @Override
    public InputPreProcessor getPreProcessorForInputType(InputType inputType) {
        return InputTypeUtil.getPreprocessorForInputTypeRnnLayers(inputType, rnnDataFormat, getLayerName());
    }

    /** @return the layout of inputs, outputs and labels: NCW (DL4J's default) or NWC */
    public RNNFormat getRnnDataFormat() {
        return rnnDataFormat;
    }

    /** @param rnnDataFormat the layout of inputs, outputs and labels (for JSON) */
    public void setRnnDataFormat(RNNFormat rnnDataFormat) {
        this.rnnDataFormat = Objects.requireNonNull(rnnDataFormat, "rnnDataFormat");
    }

    @Override
    public BayesianRnnOutputLayer clone() {
        return (BayesianRnnOutputLayer) super.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BayesianRnnOutputLayer && super.equals(o)
                && rnnDataFormat == ((BayesianRnnOutputLayer) o).rnnDataFormat;
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), rnnDataFormat);
    }

    @Override
    public String toString() {
        return "BayesianRnnOutputLayer(dataFormat=" + rnnDataFormat + ", " + super.toString() + ")";
    }

    /**
     * Builder in DL4J's style, as {@link BayesianOutputLayer.Builder} plus {@link #dataFormat(RNNFormat)}; every
     * option returns this builder type, so the options may come in any order.
     */
    public static class Builder extends BayesianOutputLayer.Builder {
        private RNNFormat rnnDataFormat = RNNFormat.NCW;

        /** A builder with DL4J's default loss (MCXENT) and softmax activation. */
        public Builder() {
            super();
        }

        /** @param lossFunction the loss function, i.e. the negative log-likelihood */
        public Builder(LossFunction lossFunction) {
            super(lossFunction);
        }

        /** @param lossFunction the loss function, i.e. the negative log-likelihood */
        public Builder(ILossFunction lossFunction) {
            super(lossFunction);
        }

        /** @param format the layout of inputs, outputs and labels: NCW (default) or NWC */
        public Builder dataFormat(RNNFormat format) {
            this.rnnDataFormat = Objects.requireNonNull(format, "dataFormat");
            return this;
        }

        @Override
        public Builder nIn(int nIn) {
            super.nIn(nIn);
            return this;
        }

        @Override
        public Builder nIn(long nIn) {
            super.nIn(nIn);
            return this;
        }

        @Override
        public Builder nOut(int nOut) {
            super.nOut(nOut);
            return this;
        }

        @Override
        public Builder nOut(long nOut) {
            super.nOut(nOut);
            return this;
        }

        @Override
        public Builder activation(Activation activation) {
            super.activation(activation);
            return this;
        }

        @Override
        public Builder activation(IActivation activation) {
            super.activation(activation);
            return this;
        }

        @Override
        public Builder weightInit(WeightInit weightInit) {
            super.weightInit(weightInit);
            return this;
        }

        @Override
        public Builder hasBias(boolean hasBias) {
            super.hasBias(hasBias);
            return this;
        }

        @Override
        public Builder name(String layerName) {
            super.name(layerName);
            return this;
        }

        @Override
        public Builder learnedNoise(double initialStd) {
            super.learnedNoise(initialStd);
            return this;
        }

        @Override
        public Builder prior(Prior prior) {
            super.prior(prior);
            return this;
        }

        @Override
        public Builder klEstimate(KlEstimate estimate) {
            super.klEstimate(estimate);
            return this;
        }

        @Override
        public Builder initialPosteriorStd(double std) {
            super.initialPosteriorStd(std);
            return this;
        }

        @Override
        public Builder estimator(Estimator estimator) {
            super.estimator(estimator);
            return this;
        }

        @Override
        @SuppressWarnings("unchecked")
        public BayesianRnnOutputLayer build() {
            return new BayesianRnnOutputLayer(this);
        }
    }
}
