package io.github.dl4jbayes.training;

import org.deeplearning4j.nn.api.Model;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * One {@link ElboHistory} per network, found by identity (DL4J's networks define {@code equals} by their
 * parameters), held weakly so that a trainer does not keep networks alive; the trainer's own state apart from its
 * settings. Used by {@link Advi} and {@code SparkAdvi}; for trainers, not for users.
 */
public final class ElboHistories {
    private final List<Entry> entries = new ArrayList<>();
    private ElboHistory last = new ElboHistory();

    private static final class Entry {
        final WeakReference<Model> net;
        final ElboHistory history;

        Entry(Model net, ElboHistory history) {
            this.net = new WeakReference<>(net);
            this.history = history;
        }
    }

    /** Creates the histories of no network yet. */
    public ElboHistories() {
    }

    /** @return {@code net}'s history (created empty on its first fit); it becomes {@link #last()} */
    public synchronized ElboHistory of(Model net) {
        for (Iterator<Entry> it = entries.iterator(); it.hasNext(); ) {
            Entry e = it.next();
            Model held = e.net.get();
            if (held == null) {
                it.remove();
            } else if (held == net) {
                last = e.history;
                return last;
            }
        }
        last = new ElboHistory();
        entries.add(new Entry(net, last));
        return last;
    }

    /** @return the history of the network asked for last, or an empty one */
    public synchronized ElboHistory last() {
        return last;
    }
}
