package io.github.dl4jbayes.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/** A local Spark for the tests: {@code local[threads]}, no web UI, loopback only. */
final class LocalSpark {
    private LocalSpark() {
    }

    static JavaSparkContext start(int threads) {
        return new JavaSparkContext(new SparkConf().setMaster("local[" + threads + "]").setAppName("dl4j-bayes-test")
                .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1"));
    }
}
