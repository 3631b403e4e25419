package io.github.dl4jbayes.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The tests' Spark: one {@code local[2]} context per test class, no web UI, loopback only. */
abstract class LocalSpark {
    static JavaSparkContext sc;

    @BeforeAll
    static void startSpark() {
        sc = context("local[2]");
    }

    /** @return a Spark context on {@code master} (e.g. {@code local[2, 4]}: 2 threads, a task tried up to 4 times) */
    static JavaSparkContext context(String master) {
        return new JavaSparkContext(new SparkConf().setMaster(master).setAppName("dl4j-bayes-test")
                .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1"));
    }

    @AfterAll
    static void stopSpark() {
        sc.close();
    }
}
