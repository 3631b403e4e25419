/**
 * User API: held-out quality of a posterior predictive (NLL, Brier score, ECE, AUROC, RMSE, coverage) and DL4J's
 * evaluation objects of it ({@code PredictiveEvaluation}).
 */
package io.github.dl4jbayes.metrics;
