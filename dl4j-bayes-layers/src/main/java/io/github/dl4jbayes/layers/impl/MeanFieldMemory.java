package io.github.dl4jbayes.layers.impl;

import io.github.dl4jbayes.layers.BayesianLayerConfig;
import io.github.dl4jbayes.layers.MeanFieldLayout;

import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.conf.memory.MemoryReport;

/** The memory report shared by the Bayesian layers. */
public final class MeanFieldMemory {
    private MeanFieldMemory() {
    }

    /** @return the memory report of a Bayesian layer: its parameters, updater state and buffer of drawn weights */
    public static <L extends BaseLayer & BayesianLayerConfig> LayerMemoryReport report(
            L layer, Class<? extends org.deeplearning4j.nn.conf.layers.Layer> type, InputType inputType,
            InputType outputType) {
        long numParams = layer.initializer().numParams(layer);
        long updaterStateSize = layer.getIUpdater().stateSize(numParams);
        // Fixed: the buffer of drawn weights (one block). Variable: activations, as in a dense layer.
        long drawnWeights = new MeanFieldLayout(layer).blockSize();
        return new LayerMemoryReport.Builder(layer.getLayerName(), type, inputType, outputType)
                .standardMemory(numParams, updaterStateSize)
                .workingMemory(drawnWeights, 0, drawnWeights, outputType.arrayElementsPerExample())
                .cacheMemory(MemoryReport.CACHE_MODE_ALL_ZEROS, MemoryReport.CACHE_MODE_ALL_ZEROS)
                .build();
    }
}
