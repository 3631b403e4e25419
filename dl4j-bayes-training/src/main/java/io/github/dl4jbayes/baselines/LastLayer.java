package io.github.dl4jbayes.baselines;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.lossfunctions.impl.LossBinaryXENT;
import org.nd4j.linalg.lossfunctions.impl.LossL2;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;
import org.nd4j.linalg.lossfunctions.impl.LossMSE;

import java.util.List;
import java.util.Map;

/**
 * The last layer of a plain network seen as a generalized linear model: its input features (with a column of ones
 * for the bias), its weights {@code [W; b]} and the likelihood its activation and loss stand for. All in double.
 */
final class LastLayer {
    private final Model model;
    private final Layer layer;
    private final IActivation activation;
    private final LaplaceApproximation.Likelihood likelihood;
    private final boolean bias;
    private final int nIn;
    private final int nOut;

    private LastLayer(Model model, Layer layer, IActivation activation, LaplaceApproximation.Likelihood likelihood,
                      boolean bias, int nIn, int nOut) {
        this.model = model;
        this.layer = layer;
        this.activation = activation;
        this.likelihood = likelihood;
        this.bias = bias;
        this.nIn = nIn;
        this.nOut = nOut;
    }

    static LastLayer of(Model model) {
        Layer layer = Networks.adapter("net", model).outputLayer(0);
        org.deeplearning4j.nn.conf.layers.Layer conf = layer.conf().getLayer();
        if (conf.getClass() != OutputLayer.class) {
            throw new IllegalArgumentException("net: the last layer is a " + conf.getClass().getSimpleName()
                    + "; a last-layer Laplace approximation needs DL4J's OutputLayer (a dense layer with a loss)");
        }
        OutputLayer output = (OutputLayer) conf;
        IActivation activation = output.getActivationFn();
        ILossFunction loss = output.getLossFn();
        LaplaceApproximation.Likelihood likelihood;
        if (activation instanceof ActivationSoftmax && loss instanceof LossMCXENT mc && mc.getWeights() == null) {
            likelihood = LaplaceApproximation.Likelihood.CATEGORICAL;   // LossNegativeLogLikelihood extends LossMCXENT
        } else if (activation instanceof ActivationSigmoid && loss instanceof LossBinaryXENT xent
                && xent.getWeights() == null) {
            likelihood = LaplaceApproximation.Likelihood.BERNOULLI;
        } else if (activation instanceof ActivationIdentity && (loss instanceof LossMSE || loss instanceof LossL2)) {
            likelihood = LaplaceApproximation.Likelihood.GAUSSIAN;
        } else {
            throw new IllegalArgumentException("net: the output layer's activation " + activation + " with loss "
                    + loss + " is not a likelihood the Laplace approximation knows; supported: softmax with MCXENT or "
                    + "NEGATIVELOGLIKELIHOOD (categorical), sigmoid with XENT (Bernoulli), identity with MSE or L2 "
                    + "(Gaussian), without class weights");
        }
        return new LastLayer(model, layer, activation, likelihood, output.hasBias(), (int) output.getNIn(),
                (int) output.getNOut());
    }

    Model model() {
        return model;
    }

    LaplaceApproximation.Likelihood likelihood() {
        return likelihood;
    }

    /** @return the rows of the weight matrix {@code [W; b]}: nIn, plus one for the bias */
    int rows() {
        return nIn + (bias ? 1 : 0);
    }

    int outputs() {
        return nOut;
    }

    /** @return the number of last-layer parameters, {@code rows() * outputs()} */
    int parameters() {
        return rows() * nOut;
    }

    /** @return the trained weights {@code [W; b]}, {@code [rows, outputs]}, double (a copy) */
    INDArray weights() {
        INDArray w = layer.getParam("W").castTo(DataType.DOUBLE);
        if (!bias) {
            return w.dup();
        }
        return Nd4j.vstack(w, layer.getParam("b").castTo(DataType.DOUBLE).reshape(1, nOut));
    }

    /**
     * @param x the network's inputs
     * @return the last layer's inputs with a column of ones for the bias, {@code [rows of x, rows()]}, double
     */
    INDArray features(INDArray x) {
        if (x == null || x.isEmpty()) {
            throw new IllegalArgumentException("features must be a non-empty array");
        }
        INDArray input = x.castTo(Networks.dataType(model));
        INDArray phi;
        LayerWorkspaceMgr workspaces = LayerWorkspaceMgr.noWorkspaces();
        // on the network's monitor, as DL4J's own output(...): the pass sets and clears the layers' inputs
        synchronized (model) {
        if (model instanceof MultiLayerNetwork net) {
            int last = net.getnLayers() - 1;
            phi = last == 0 ? input : net.feedForwardToLayer(last - 1, input, false).get(last);
            InputPreProcessor pre = net.getLayerWiseConfigurations().getInputPreProcess(last);
            if (pre != null) {
                phi = pre.preProcess(phi, (int) phi.size(0), workspaces);
            }
            net.clearLayersStates();
        } else {
            ComputationGraph graph = (ComputationGraph) model;
            String outputName = graph.getConfiguration().getNetworkOutputs().get(0);
            List<String> sources = graph.getConfiguration().getVertexInputs().get(outputName);
            if (sources.size() != 1) {
                throw new IllegalArgumentException("net: the output layer takes " + sources.size()
                        + " inputs; the last-layer Laplace approximation needs one");
            }
            Map<String, INDArray> activations = graph.feedForward(new INDArray[]{input}, false);
            phi = activations.get(sources.get(0));
            GraphVertex vertex = graph.getConfiguration().getVertices().get(outputName);
            if (vertex instanceof LayerVertex lv && lv.getPreProcessor() != null) {
                phi = lv.getPreProcessor().preProcess(phi, (int) phi.size(0), workspaces);
            }
            graph.clearLayersStates();
        }
        }
        phi = phi.castTo(DataType.DOUBLE);
        if (phi.rank() != 2 || phi.size(1) != nIn) {
            throw new IllegalStateException("the output layer's input has shape " + java.util.Arrays.toString(
                    phi.shape()) + ", expected [rows, " + nIn + "]");
        }
        return bias ? Nd4j.hstack(phi, Nd4j.ones(DataType.DOUBLE, phi.size(0), 1)) : phi.dup();
    }

    /** @return the output activation applied to {@code logits} (a copy) */
    INDArray activate(INDArray logits) {
        return activation.getActivation(logits.dup(), false);
    }
}
