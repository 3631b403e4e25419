package io.github.dl4jbayes.examples;

import io.github.dl4jbayes.predict.ClassificationUncertainty;
import io.github.dl4jbayes.predict.PosteriorPredictive;
import io.github.dl4jbayes.training.Advi;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The moons model knows where it has not seen data: the mutual information (epistemic uncertainty) averaged over the
 * part of the [-3, 3]^2 grid far from every training point is higher than averaged over the test points.
 * Averages, not single points: far from the data the network stays confident in directions away from the boundary.
 */
class OutOfDistributionTest {

    @Test
    void epistemicUncertaintyIsHigherFarFromTheData() {
        MoonsData data = MoonsData.generate(1000, 0.2, 0);
        MultiLayerNetwork net = NotebookNetwork.build(true, false, 0.01, 0);
        DataSet train = data.train();
        Advi.builder().datasetSize(train.numExamples()).iterations(1500).klAnnealingIterations(500).printEvery(0)
                .build().fit(net, train);

        double[][] points = train.getFeatures().castTo(DataType.DOUBLE).toDoubleMatrix();
        List<double[]> far = new ArrayList<>();
        for (int i = 0; i < 41; i++) {
            for (int j = 0; j < 41; j++) {
                double x = -3 + 6.0 * j / 40;
                double y = -3 + 6.0 * i / 40;
                double nearest = Double.POSITIVE_INFINITY;
                for (double[] p : points) {
                    nearest = Math.min(nearest, Math.hypot(p[0] - x, p[1] - y));
                }
                if (nearest > 1.0) {
                    far.add(new double[]{x, y});
                }
            }
        }
        assertTrue(far.size() > 50, "grid points far from the data: " + far.size());
        double farMi = meanMutualInformation(net, Nd4j.create(far.toArray(new double[0][])).castTo(DataType.FLOAT));
        double testMi = meanMutualInformation(net, data.test().getFeatures());
        System.out.printf("mean mutual information: far from the data %.4f, test points %.4f%n", farMi, testMi);
        // Training is reproducible from the seed (this run: about 3x). Over eight seeds of the example network the
        // ratio ranged from 1.48 to 3.69; the bound asks for a clear margin without hanging on one run's value.
        assertTrue(farMi > 1.2 * testMi, "far " + farMi + " vs test " + testMi);
    }

    private static double meanMutualInformation(MultiLayerNetwork net, INDArray x) {
        return ClassificationUncertainty.of(PosteriorPredictive.of(net).samples(300).predict(x))
                .mutualInformation().meanNumber().doubleValue();
    }
}
