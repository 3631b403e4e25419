package io.github.dl4jbayes.training;

import org.deeplearning4j.nn.api.Model;


/**
 * One {@link ElboHistory} per network, found by identity (DL4J's networks define {@code equals} by their
 * parameters), held weakly so that a trainer does not keep networks alive; the trainer's own state apart from its
 * settings. Used by {@link Advi} and {@code SparkAdvi}; for trainers, not for users.
 */
public final class ElboHistories {
    private final PerNetwork<ElboHistory> histories = new PerNetwork<>();
    private ElboHistory last = new ElboHistory();

    /** Creates the histories of no network yet. */
    public ElboHistories() {
    }

    /** @return {@code net}'s history (created empty on its first fit); it becomes {@link #last()} */
    public synchronized ElboHistory of(Model net) {
        last = histories.computeIfAbsent(net, ElboHistory::new);
        return last;
    }

    /** @return the history of the network asked for last, or an empty one */
    public synchronized ElboHistory last() {
        return last;
    }
}
