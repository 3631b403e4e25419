/**
 * The fused training step of small stacks of Bayesian dense layers: DL4J's step computed in Java loops on the
 * layers' posteriors, used by {@code Advi} where it covers the network. No compatibility promise: public because
 * the library's packages use each other, not for users; anything here may change or go in any release.
 */
package io.github.dl4jbayes.internal.fused;
