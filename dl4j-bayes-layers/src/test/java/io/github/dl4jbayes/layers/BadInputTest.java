package io.github.dl4jbayes.layers;

import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Sgd;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each bad argument raises an exception whose message names the problem. */
class BadInputTest {

    private static void assertMessage(Throwable e, String... words) {
        String message = e.getMessage();
        for (String word : words) {
            assertTrue(message != null && message.contains(word), "message '" + message + "' should name '" + word + "'");
        }
    }

    @Test
    void layerSizes() {
        assertMessage(assertThrows(IllegalArgumentException.class, () -> new BayesianDenseLayer.Builder().nIn(0)), "nIn");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> new BayesianDenseLayer.Builder().nOut(-3)), "nOut");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> new BayesianOutputLayer.Builder().nIn(-1L)), "nIn");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> new BayesianOutputLayer.Builder().nOut(0)), "nOut");
    }

    @Test
    void posteriorStdAndPrior() {
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> new BayesianDenseLayer.Builder().initialPosteriorStd(0)), "initialPosteriorStd");
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> new BayesianOutputLayer.Builder().initialPosteriorStd(Double.NaN)), "initialPosteriorStd");
        assertMessage(assertThrows(NullPointerException.class, () -> new BayesianDenseLayer.Builder().prior(null)), "prior");
    }

    @Test
    void datasetSize() {
        MultiLayerNetwork net = TestNets.init(TestNets.classifier(true, true, DataType.FLOAT, new Sgd(0.1)));
        INDArray x = TestNets.randn(1, DataType.FLOAT, 4, 3);
        INDArray y = TestNets.oneHot(4, 2, 1, DataType.FLOAT);
        // fitting with N unset says how to set it
        assertMessage(assertThrows(IllegalStateException.class, () -> net.fit(x, y)), "dataset size", "datasetSize");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> BayesianNetworks.setDatasetSize(net, 0)),
                "datasetSize");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> BayesianNetworks.setDatasetSize(net, -5)),
                "datasetSize");
    }

    @Test
    void inputAndLabelShapes() {
        MultiLayerNetwork net = TestNets.init(TestNets.classifier(true, true, DataType.FLOAT, new Sgd(0.1)));
        BayesianNetworks.setDatasetSize(net, 100);
        INDArray wide = TestNets.randn(1, DataType.FLOAT, 4, 5);
        assertMessage(assertThrows(RuntimeException.class, () -> net.output(wide)), "Input size");
        INDArray x = TestNets.randn(1, DataType.FLOAT, 4, 3);
        INDArray badLabels = TestNets.oneHot(4, 3, 1, DataType.FLOAT);
        assertMessage(assertThrows(RuntimeException.class, () -> net.fit(x, badLabels)), "labels", "nOut");
        INDArray fewLabels = TestNets.oneHot(3, 2, 1, DataType.FLOAT);
        assertMessage(assertThrows(RuntimeException.class, () -> net.fit(x, fewLabels)), "labels");
    }

    /** Estimators a layer cannot use, kernels larger than the input, and inputs with the wrong channels. */
    @Test
    void convolution() {
        assertMessage(assertThrows(IllegalArgumentException.class, () -> new BayesianConvolutionLayer.Builder(3, 3)
                .nOut(4).estimator(Estimator.LOCAL_REPARAMETERIZATION).build()), "LOCAL_REPARAMETERIZATION", "FLIPOUT");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> new BayesianConvolutionLayer.Builder(3, 3)
                .nIn(-2).nOut(4).build()), "nIn");
        // a configuration edited (or written by hand in JSON) to an estimator the layer cannot use is refused at init
        MultiLayerConfiguration conf = convNet(3, ConvolutionMode.Truncate);
        ((BayesianConvolutionLayer) conf.getConf(0).getLayer()).getMeanField()
                .setEstimator(Estimator.LOCAL_REPARAMETERIZATION);
        MultiLayerConfiguration edited = MultiLayerConfiguration.fromJson(conf.toJson());
        assertMessage(assertThrows(IllegalArgumentException.class, () -> TestNets.init(edited)),
                "LOCAL_REPARAMETERIZATION");

        // kernel larger than the input: rejected when the configuration is built from the input type
        assertMessage(assertThrows(RuntimeException.class, () -> convNet(7, ConvolutionMode.Truncate)), "kernel");
        // ... and at run time, for an input smaller than the kernel
        MultiLayerNetwork net = TestNets.init(convNet(3, ConvolutionMode.Truncate));
        BayesianNetworks.setDatasetSize(net, 10);
        INDArray small = TestNets.randn(2, DataType.FLOAT, 2, 2 * 2 * 2).reshape(2, 2, 2, 2);
        assertMessage(assertThrows(RuntimeException.class, () -> net.output(small)), "kernel");
        // input channels that do not match nIn
        INDArray threeChannels = TestNets.randn(2, DataType.FLOAT, 2, 3 * 6 * 6).reshape(2, 3, 6, 6);
        assertMessage(assertThrows(RuntimeException.class, () -> net.output(threeChannels)), "channels", "nIn = 2");
        // a flat input without InputType.convolutionalFlat
        INDArray flat = TestNets.randn(2, DataType.FLOAT, 2, 72);
        assertMessage(assertThrows(RuntimeException.class, () -> net.getLayer(0).activate(flat, false,
                org.deeplearning4j.nn.workspace.LayerWorkspaceMgr.noWorkspaces())), "rank 4");
    }

    @Test
    void aGaussianLikelihoodItsLayerCannotFeedIsRejectedWithWhatToDo() {
        // DL4J's default output activation is softmax: it would mix the means and the scales
        MultiLayerNetwork softmax = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().list()
                .layer(new BayesianDenseLayer.Builder().nIn(2).nOut(4).build())
                .layer(new BayesianOutputLayer.Builder(new io.github.dl4jbayes.likelihoods.LossGaussianNll()).nIn(4)
                        .nOut(2).build())
                .build());
        assertMessage(assertThrows(IllegalArgumentException.class, softmax::init), "softmax", "Activation.IDENTITY");
        // one output and no learned noise: no column is left for the scale
        MultiLayerNetwork odd = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().list()
                .layer(new BayesianDenseLayer.Builder().nIn(2).nOut(4).build())
                .layer(new BayesianOutputLayer.Builder(new io.github.dl4jbayes.likelihoods.LossGaussianNll()).nIn(4)
                        .nOut(1).activation(Activation.IDENTITY).build())
                .build());
        assertMessage(assertThrows(IllegalArgumentException.class, odd::init), "nOut = 1", "nOut(2)", "learnedNoise");
        // the two valid forms build
        new MultiLayerNetwork(new NeuralNetConfiguration.Builder().list()
                .layer(new BayesianOutputLayer.Builder(new io.github.dl4jbayes.likelihoods.LossGaussianNll()).nIn(3)
                        .nOut(1).activation(Activation.IDENTITY).learnedNoise(0.5).build())
                .build()).init();
        new MultiLayerNetwork(new NeuralNetConfiguration.Builder().list()
                .layer(new BayesianOutputLayer.Builder(new io.github.dl4jbayes.likelihoods.LossGaussianNll()).nIn(3)
                        .nOut(2).activation(Activation.IDENTITY).build())
                .build()).init();
    }

    private static MultiLayerConfiguration convNet(int kernel, ConvolutionMode mode) {
        return new NeuralNetConfiguration.Builder().seed(1).dataType(DataType.FLOAT).convolutionMode(mode).list()
                .layer(new BayesianConvolutionLayer.Builder(kernel, kernel).nOut(3).activation(Activation.TANH).build())
                .layer(new BayesianOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(6, 6, 2))
                .build();
    }
}
