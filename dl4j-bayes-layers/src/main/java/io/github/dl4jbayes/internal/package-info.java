/**
 * Machinery every package of the library may use: numerically stable math ({@code StableMath}), whether arrays
 * live in host memory ({@code HostLoops}), argument checks, one view of DL4J's two network types
 * ({@code NetworkAdapter}). No compatibility promise: public because the library's
 * packages use each other, not for users; anything here may change or go in any release.
 */
package io.github.dl4jbayes.internal;
