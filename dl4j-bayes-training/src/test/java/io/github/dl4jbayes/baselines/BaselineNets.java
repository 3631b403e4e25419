package io.github.dl4jbayes.baselines;

import io.github.dl4jbayes.training.TestData;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** Small plain networks and seeded data for the baselines' tests. */
final class BaselineNets {
    private BaselineNets() {
    }

    /** Two Gaussian blobs per class in 2-D, {@code classes} classes, one-hot labels (or 0/1 for one class column). */
    static DataSet blobs(long seed, int rows, int classes) {
        INDArray x = TestData.randn(seed, DataType.DOUBLE, rows, 2);
        int columns = classes == 2 ? 1 : classes;
        INDArray y = Nd4j.zeros(DataType.DOUBLE, rows, columns);
        for (int i = 0; i < rows; i++) {
            int c = i % classes;
            x.putScalar(i, 0, x.getDouble(i, 0) + 2.0 * Math.cos(2 * Math.PI * c / classes));
            x.putScalar(i, 1, x.getDouble(i, 1) + 2.0 * Math.sin(2 * Math.PI * c / classes));
            y.putScalar(i, columns == 1 ? 0 : c, columns == 1 ? c : 1.0);
        }
        return new DataSet(x, y);
    }

    /**
     * A 2-16-out tanh classifier: softmax with MCXENT for several classes, sigmoid with XENT for one column; dropout
     * on the hidden layer with DL4J's retain probability {@code retain}, none for 1.
     */
    static MultiLayerNetwork classifier(long seed, int outputs, double retain) {
        DenseLayer.Builder hidden = new DenseLayer.Builder().nIn(2).nOut(16).activation(Activation.TANH);
        if (retain < 1) {
            hidden.dropOut(retain);
        }
        NeuralNetConfiguration.ListBuilder b = new NeuralNetConfiguration.Builder().seed(seed)
                .dataType(DataType.DOUBLE).updater(new Adam(0.02)).list()
                .layer(hidden.build())
                .layer(new OutputLayer.Builder(outputs == 1 ? LossFunctions.LossFunction.XENT
                        : LossFunctions.LossFunction.MCXENT).nIn(16).nOut(outputs)
                        .activation(outputs == 1 ? Activation.SIGMOID : Activation.SOFTMAX).build());
        MultiLayerConfiguration conf = b.build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    static MultiLayerNetwork trained(MultiLayerNetwork net, DataSet data, int iterations) {
        for (int i = 0; i < iterations; i++) {
            net.fit(data);
        }
        return net;
    }
}
