/**
 * The variational machinery of a mean-field Gaussian layer: {@code MeanFieldPosterior} (draws, KL term, gradient
 * completion, pruning surgery) and its kernels (Java loops, SIMD, ND4J operations) and noise. No compatibility
 * promise: public because the library's packages use each other, not for users; anything here may change or go in
 * any release.
 */
package io.github.dl4jbayes.internal.meanfield;
