package io.github.dl4jbayes.baselines;

import io.github.dl4jbayes.predict.PredictiveSamples;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeepEnsembleTest {

    @Test
    void meanAndStdAreTheMembersMeanAndStd() {
        DataSet data = BaselineNets.blobs(1, 60, 3);
        List<MultiLayerNetwork> members = List.of(BaselineNets.trained(BaselineNets.classifier(1, 3, 1.0), data, 20),
                BaselineNets.trained(BaselineNets.classifier(2, 3, 1.0), data, 20),
                BaselineNets.trained(BaselineNets.classifier(3, 3, 1.0), data, 20));
        INDArray x = data.getFeatures().getRows(0, 1, 2, 3);
        PredictiveSamples p = DeepEnsemble.of(members).predict(x);
        INDArray outputs = Nd4j.stack(0, members.get(0).output(x), members.get(1).output(x), members.get(2).output(x));
        assertEquals(3, p.count());
        assertEquals(outputs, p.samples());
        assertTrue(p.mean().sub(outputs.mean(0)).amaxNumber().doubleValue() < 1e-12);
        assertTrue(p.std().sub(outputs.std(true, 0)).amaxNumber().doubleValue() < 1e-12);
    }

    @Test
    void trainsMembersFromOneConfigurationWithDifferentSeeds() {
        DataSet data = BaselineNets.blobs(2, 60, 3);
        MultiLayerNetwork template = BaselineNets.classifier(42, 3, 1.0);
        String json = template.getLayerWiseConfigurations().toJson();
        DeepEnsemble ensemble = DeepEnsemble.train(template.getLayerWiseConfigurations(), 3,
                net -> BaselineNets.trained(net, data, 10));
        List<Model> members = ensemble.members();
        assertEquals(3, members.size());
        assertNotEquals(members.get(0).params(), members.get(1).params());
        assertEquals(json, template.getLayerWiseConfigurations().toJson(), "the given configuration is unchanged");
        assertTrue(Arrays.stream(ensemble.trainingSeconds()).allMatch(s -> s >= 0));
        DeepEnsemble again = DeepEnsemble.train(template.getLayerWiseConfigurations(), 3,
                net -> BaselineNets.trained(net, data, 10));
        assertEquals(members.get(2).params(), again.members().get(2).params(), "member k is seeded by k");
        assertTrue(Double.isNaN(DeepEnsemble.of(members).trainingSeconds()[0]));
    }

    @Test
    void rejectsMembersThatDoNotPredictTheSameOutputs() {
        MultiLayerNetwork three = BaselineNets.classifier(1, 3, 1.0);
        MultiLayerNetwork four = BaselineNets.classifier(2, 4, 1.0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DeepEnsemble.of(List.of(three, four)));
        assertTrue(e.getMessage().contains("members[1] has 4 outputs"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DeepEnsemble.of(List.of()));
        assertThrows(IllegalArgumentException.class, () -> DeepEnsemble.of(null));
        assertThrows(IllegalArgumentException.class, () -> DeepEnsemble.train(0, k -> three));
        assertThrows(IllegalArgumentException.class, () -> DeepEnsemble.of(List.of(three)).predict(
                Nd4j.create(DataType.DOUBLE, 0, 2)));
    }
}
