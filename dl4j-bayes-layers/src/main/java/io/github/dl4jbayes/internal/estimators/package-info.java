/**
 * The gradient estimators (reparameterization, local reparameterization, Flipout), each written once against
 * {@code LinearMap} (dense and convolution). No compatibility promise: public because the library's packages use
 * each other, not for users; anything here may change or go in any release.
 */
package io.github.dl4jbayes.internal.estimators;
